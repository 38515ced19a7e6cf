/*
 * SPDX-License-Identifier: GPL-2.0
 *
 * Firmware description of one memory-mapped xrmu unit (-device xrmu-sys),
 * as Documentation/xrmu/identity.rst "Memory-mapped (platform) variant"
 * specifies it: _HID XRMU0001, _CRS = the 4 KiB register block, then the
 * fault and the command interrupt (edge, active high).  run-vm fills in
 * @NAME@, @UID@, @ADDR@, @GSI_FAULT@, @GSI_CMD@ and builds it with iasl;
 * QEMU takes the table with -acpitable.  Coverage is not described here:
 * the unit's RIDRANGE register says it.
 */
DefinitionBlock ("", "SSDT", 2, "XRMU", "XRMUSYS", 1)
{
    Scope (\_SB)
    {
        Device (@NAME@)
        {
            Name (_HID, "XRMU0001")
            Name (_UID, @UID@)
            Name (_CRS, ResourceTemplate ()
            {
                Memory32Fixed (ReadWrite, @ADDR@, 0x00001000)
                Interrupt (ResourceConsumer, Edge, ActiveHigh, Exclusive)
                {
                    @GSI_FAULT@
                }
                Interrupt (ResourceConsumer, Edge, ActiveHigh, Exclusive)
                {
                    @GSI_CMD@
                }
            })
        }
    }
}
