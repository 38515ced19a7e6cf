// SPDX-License-Identifier: GPL-2.0-only
/*
 * xrmu tracepoints (trace.h): the one place that instantiates them.
 */

#define CREATE_TRACE_POINTS
#include "trace.h"
