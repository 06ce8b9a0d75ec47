/**
 * Every PAPR hcall opcode the PAPR specs know, as data: each opcode Linux
 * v5.7's `arch/powerpc/include/asm/hvcall.h` defines (up to
 * MAX_HCALL_OPCODE = H_SCM_PERFORMANCE_STATS 0x418, then the platform-specific
 * ranges 0xEF00, 0xF000, 0xF078 and 0xF800), and the ones only QEMU 5.0.0's
 * `include/hw/ppc/spapr.h` defines (H_CLEAN_SLB, H_INVALIDATE_PID, the private
 * KVMPPC_H_* calls from KVMPPC_HCALL_BASE 0xF000, and SVM_H_TPM_COMM). With
 * each, the QEMU 5.0.0 file that registers a handler for it
 * (`spapr_register_hypercall`), if any: an opcode without one is H_FUNCTION
 * under QEMU (`spapr_hypercall`). The summaries are ours.
 *
 * Sources: v5.7 tree (a5221985/linux-5.7.14 @5d0b54d9)
 * arch/powerpc/include/asm/hvcall.h:162-353; QEMU 5.0.0 (release import
 * zhouyuming/qemu-5.0.0 @c86cc9c3, VERSION 5.0.0; its local commits touch
 * no ppc file) include/hw/ppc/spapr.h:390-549 and the
 * `spapr_register_hypercall` calls in hw/.
 *
 * @module
 */

/** Where an opcode's name is defined. */
export type PaprHcallOrigin = 'linux' | 'qemu';

/** One opcode. */
export interface PaprHcall {
  /** The name as the header spells it. */
  readonly name: string;
  /** The opcode (r3). */
  readonly opcode: number;
  /** What it does, one line (ours). */
  readonly summary: string;
  /** `linux` when hvcall.h (v5.7) names it, `qemu` when only QEMU 5.0.0's spapr.h does. */
  readonly origin: PaprHcallOrigin;
  /** The QEMU 5.0.0 source file that registers a handler, or `undefined` (then QEMU answers H_FUNCTION). */
  readonly qemu: string | undefined;
}

const SPAPR_HCALL = 'hw/ppc/spapr_hcall.c';
const VTY = 'hw/char/spapr_vty.c';
const XIVE = 'hw/intc/spapr_xive.c';
const XICS = 'hw/intc/xics_spapr.c';
const LLAN = 'hw/net/spapr_llan.c';
const IOMMU = 'hw/ppc/spapr_iommu.c';
const NVDIMM = 'hw/ppc/spapr_nvdimm.c';
const RNG = 'hw/ppc/spapr_rng.c';
const TPM = 'hw/ppc/spapr_tpm_proxy.c';
const VIO = 'hw/ppc/spapr_vio.c';

/** `[name, opcode, summary, QEMU 5.0.0 file registering it]`, in hvcall.h order (then QEMU's own). */
const LINUX: readonly (readonly [string, number, string, string?])[] = [
  ['H_REMOVE', 0x04, 'remove a hashed page table entry', SPAPR_HCALL],
  ['H_ENTER', 0x08, 'insert a hashed page table entry', SPAPR_HCALL],
  ['H_READ', 0x0c, 'read hashed page table entries', SPAPR_HCALL],
  ['H_CLEAR_MOD', 0x10, 'clear the changed bit of a page table entry'],
  ['H_CLEAR_REF', 0x14, 'clear the referenced bit of a page table entry'],
  ['H_PROTECT', 0x18, 'change the protection of a page table entry', SPAPR_HCALL],
  ['H_GET_TCE', 0x1c, 'read a TCE (IOMMU) entry', IOMMU],
  ['H_PUT_TCE', 0x20, 'write a TCE (IOMMU) entry', IOMMU],
  ['H_SET_SPRG0', 0x24, 'set SPRG0', SPAPR_HCALL],
  ['H_SET_DABR', 0x28, 'set the data address breakpoint', SPAPR_HCALL],
  ['H_PAGE_INIT', 0x2c, 'zero or copy a 4 KiB page', SPAPR_HCALL],
  ['H_SET_ASR', 0x30, 'set the address space register'],
  ['H_ASR_ON', 0x34, 'turn address-space-register mode on'],
  ['H_ASR_OFF', 0x38, 'turn address-space-register mode off'],
  ['H_LOGICAL_CI_LOAD', 0x3c, 'cache-inhibited load from a logical address', SPAPR_HCALL],
  ['H_LOGICAL_CI_STORE', 0x40, 'cache-inhibited store to a logical address', SPAPR_HCALL],
  ['H_LOGICAL_CACHE_LOAD', 0x44, 'cacheable load from a logical address', SPAPR_HCALL],
  ['H_LOGICAL_CACHE_STORE', 0x48, 'cacheable store to a logical address', SPAPR_HCALL],
  ['H_LOGICAL_ICBI', 0x4c, 'invalidate an instruction cache block at a logical address', SPAPR_HCALL],
  ['H_LOGICAL_DCBF', 0x50, 'flush a data cache block at a logical address', SPAPR_HCALL],
  ['H_GET_TERM_CHAR', 0x54, 'read characters from a virtual terminal', VTY],
  ['H_PUT_TERM_CHAR', 0x58, 'write characters to a virtual terminal', VTY],
  ['H_REAL_TO_LOGICAL', 0x5c, 'translate a real address to a logical one'],
  ['H_HYPERVISOR_DATA', 0x60, 'read hypervisor data'],
  ['H_EOI', 0x64, 'end of interrupt (XICS)', XICS],
  ['H_CPPR', 0x68, 'set the current processor priority (XICS)', XICS],
  ['H_IPI', 0x6c, 'send an inter-processor interrupt (XICS)', XICS],
  ['H_IPOLL', 0x70, 'poll for a pending interrupt (XICS)', XICS],
  ['H_XIRR', 0x74, 'accept an interrupt (XICS)', XICS],
  ['H_PERFMON', 0x7c, 'configure the performance monitor'],
  ['H_MIGRATE_DMA', 0x78, 'migrate a page under DMA'],
  ['H_REGISTER_VPA', 0xdc, 'register the virtual processor area, dispatch trace log or SLB shadow', SPAPR_HCALL],
  ['H_CEDE', 0xe0, 'cede the processor until an interrupt or H_PROD', SPAPR_HCALL],
  ['H_CONFER', 0xe4, 'confer cycles to another virtual processor', SPAPR_HCALL],
  ['H_PROD', 0xe8, 'wake a ceded virtual processor', SPAPR_HCALL],
  ['H_GET_PPP', 0xec, 'read the partition performance parameters'],
  ['H_SET_PPP', 0xf0, 'set the partition performance parameters'],
  ['H_PURR', 0xf4, 'read the processor utilisation of resources register'],
  ['H_PIC', 0xf8, 'read the pool idle count'],
  ['H_REG_CRQ', 0xfc, 'register a command/response queue (virtual I/O)', VIO],
  ['H_FREE_CRQ', 0x100, 'free a command/response queue', VIO],
  ['H_VIO_SIGNAL', 0x104, 'enable or disable a virtual I/O interrupt', VIO],
  ['H_SEND_CRQ', 0x108, 'send on a command/response queue', VIO],
  ['H_COPY_RDMA', 0x110, 'copy between partitions (RDMA)'],
  ['H_REGISTER_LOGICAL_LAN', 0x114, 'register a virtual Ethernet adapter', LLAN],
  ['H_FREE_LOGICAL_LAN', 0x118, 'free a virtual Ethernet adapter', LLAN],
  ['H_ADD_LOGICAL_LAN_BUFFER', 0x11c, 'add a receive buffer to a virtual Ethernet adapter', LLAN],
  ['H_SEND_LOGICAL_LAN', 0x120, 'send a frame on a virtual Ethernet adapter', LLAN],
  ['H_BULK_REMOVE', 0x124, 'remove several hashed page table entries', SPAPR_HCALL],
  ['H_MULTICAST_CTRL', 0x130, 'virtual Ethernet multicast control', LLAN],
  ['H_SET_XDABR', 0x134, 'set the data address breakpoint and its extension', SPAPR_HCALL],
  ['H_STUFF_TCE', 0x138, 'write one TCE value to many entries', IOMMU],
  ['H_PUT_TCE_INDIRECT', 0x13c, 'write a list of TCE entries', IOMMU],
  ['H_CHANGE_LOGICAL_LAN_MAC', 0x14c, 'change the MAC address of a virtual Ethernet adapter', LLAN],
  ['H_VTERM_PARTNER_INFO', 0x150, 'query virtual terminal partners'],
  ['H_REGISTER_VTERM', 0x154, 'register a virtual terminal'],
  ['H_FREE_VTERM', 0x158, 'free a virtual terminal'],
  ['H_RESET_EVENTS', 0x15c, 'eHCA (InfiniBand): reset events'],
  ['H_ALLOC_RESOURCE', 0x160, 'eHCA: allocate a resource'],
  ['H_FREE_RESOURCE', 0x164, 'eHCA: free a resource'],
  ['H_MODIFY_QP', 0x168, 'eHCA: modify a queue pair'],
  ['H_QUERY_QP', 0x16c, 'eHCA: query a queue pair'],
  ['H_REREGISTER_PMR', 0x170, 'eHCA: re-register a physical memory region'],
  ['H_REGISTER_SMR', 0x174, 'eHCA: register a shared memory region'],
  ['H_QUERY_MR', 0x178, 'eHCA: query a memory region'],
  ['H_QUERY_MW', 0x17c, 'eHCA: query a memory window'],
  ['H_QUERY_HCA', 0x180, 'eHCA: query the adapter'],
  ['H_QUERY_PORT', 0x184, 'eHCA: query a port'],
  ['H_MODIFY_PORT', 0x188, 'eHCA: modify a port'],
  ['H_DEFINE_AQP1', 0x18c, 'eHCA: define alias queue pair 1'],
  ['H_GET_TRACE_BUFFER', 0x190, 'eHCA: read the trace buffer'],
  ['H_DEFINE_AQP0', 0x194, 'eHCA: define alias queue pair 0'],
  ['H_RESIZE_MR', 0x198, 'eHCA: resize a memory region'],
  ['H_ATTACH_MCQP', 0x19c, 'eHCA: attach a queue pair to a multicast group'],
  ['H_DETACH_MCQP', 0x1a0, 'eHCA: detach a queue pair from a multicast group'],
  ['H_CREATE_RPT', 0x1a4, 'eHCA: create a resource page table'],
  ['H_REMOVE_RPT', 0x1a8, 'eHCA: remove a resource page table'],
  ['H_REGISTER_RPAGES', 0x1ac, 'eHCA: register resource pages'],
  ['H_DISABLE_AND_GETC', 0x1b0, 'eHCA: disable a resource and get its count'],
  ['H_ERROR_DATA', 0x1b4, 'eHCA: read error data'],
  ['H_GET_HCA_INFO', 0x1b8, 'eHCA: read adapter information'],
  ['H_GET_PERF_COUNT', 0x1bc, 'eHCA: read performance counters'],
  ['H_MANAGE_TRACE', 0x1c0, 'eHCA: manage tracing'],
  ['H_GET_CPU_CHARACTERISTICS', 0x1c8, 'which speculation mitigations the processor needs and has', SPAPR_HCALL],
  ['H_FREE_LOGICAL_LAN_BUFFER', 0x1d4, 'free receive buffers of a virtual Ethernet adapter'],
  ['H_QUERY_INT_STATE', 0x1e4, 'query the state of an interrupt source'],
  ['H_POLL_PENDING', 0x1d8, 'poll for pending work'],
  ['H_ILLAN_ATTRIBUTES', 0x244, 'read or set virtual Ethernet attributes'],
  ['H_MODIFY_HEA_QP', 0x250, 'HEA (host Ethernet adapter): modify a queue pair'],
  ['H_QUERY_HEA_QP', 0x254, 'HEA: query a queue pair'],
  ['H_QUERY_HEA', 0x258, 'HEA: query the adapter'],
  ['H_QUERY_HEA_PORT', 0x25c, 'HEA: query a port'],
  ['H_MODIFY_HEA_PORT', 0x260, 'HEA: modify a port'],
  ['H_REG_BCMC', 0x264, 'HEA: register broadcast/multicast'],
  ['H_DEREG_BCMC', 0x268, 'HEA: deregister broadcast/multicast'],
  ['H_REGISTER_HEA_RPAGES', 0x26c, 'HEA: register resource pages'],
  ['H_DISABLE_AND_GET_HEA', 0x270, 'HEA: disable a resource and get its state'],
  ['H_GET_HEA_INFO', 0x274, 'HEA: read adapter information'],
  ['H_ALLOC_HEA_RESOURCE', 0x278, 'HEA: allocate a resource'],
  ['H_ADD_CONN', 0x284, 'add a connection between partitions'],
  ['H_DEL_CONN', 0x288, 'delete a connection between partitions'],
  ['H_JOIN', 0x298, 'stop this virtual processor until prodded (join)', SPAPR_HCALL],
  ['H_VASI_STATE', 0x2a4, 'read the state of a VASI stream (migration)'],
  ['H_VIOCTL', 0x2a8, 'virtual I/O control (H_GET_VIOA_DUMP_SIZE … H_SESSION_ERR_DETECTED)'],
  ['H_ENABLE_CRQ', 0x2b0, 'enable a command/response queue', VIO],
  ['H_GET_EM_PARMS', 0x2b8, 'read energy management parameters'],
  ['H_SET_MPP', 0x2d0, 'set memory performance parameters'],
  ['H_GET_MPP', 0x2d4, 'read memory performance parameters'],
  ['H_REG_SUB_CRQ', 0x2dc, 'register a sub command/response queue'],
  ['H_HOME_NODE_ASSOCIATIVITY', 0x2ec, 'read the NUMA home node of a virtual processor', SPAPR_HCALL],
  ['H_FREE_SUB_CRQ', 0x2e0, 'free a sub command/response queue'],
  ['H_SEND_SUB_CRQ', 0x2e4, 'send on a sub command/response queue'],
  ['H_SEND_SUB_CRQ_INDIRECT', 0x2e8, 'send a list on a sub command/response queue'],
  ['H_BEST_ENERGY', 0x2f4, 'energy management hints'],
  ['H_XIRR_X', 0x2fc, 'accept an interrupt, with its timebase (XICS)', XICS],
  ['H_RANDOM', 0x300, 'a hardware random number in r4', RNG],
  ['H_COP', 0x304, 'coprocessor (NX) operation'],
  ['H_GET_MPP_X', 0x314, 'read extended memory performance parameters'],
  ['H_SET_MODE', 0x31c, 'set a processor mode (interrupt endianness, breakpoints, address translation mode)', SPAPR_HCALL],
  ['H_BLOCK_REMOVE', 0x328, 'remove a block of hashed page table entries'],
  ['H_CLEAR_HPT', 0x358, 'clear the whole hashed page table'],
  ['H_REQUEST_VMC', 0x360, 'request the virtual management channel'],
  ['H_RESIZE_HPT_PREPARE', 0x36c, 'prepare a resized hashed page table', SPAPR_HCALL],
  ['H_RESIZE_HPT_COMMIT', 0x370, 'switch to the resized hashed page table', SPAPR_HCALL],
  ['H_REGISTER_PROC_TBL', 0x37c, 'register the process table (radix or hash)', SPAPR_HCALL],
  ['H_SIGNAL_SYS_RESET', 0x380, 'send a system reset to virtual processors', SPAPR_HCALL],
  ['H_INT_GET_SOURCE_INFO', 0x3a8, 'XIVE: read an interrupt source', XIVE],
  ['H_INT_SET_SOURCE_CONFIG', 0x3ac, 'XIVE: route an interrupt source', XIVE],
  ['H_INT_GET_SOURCE_CONFIG', 0x3b0, 'XIVE: read the routing of an interrupt source', XIVE],
  ['H_INT_GET_QUEUE_INFO', 0x3b4, 'XIVE: read an event queue', XIVE],
  ['H_INT_SET_QUEUE_CONFIG', 0x3b8, 'XIVE: configure an event queue', XIVE],
  ['H_INT_GET_QUEUE_CONFIG', 0x3bc, 'XIVE: read the configuration of an event queue', XIVE],
  ['H_INT_SET_OS_REPORTING_LINE', 0x3c0, 'XIVE: set the OS reporting line', XIVE],
  ['H_INT_GET_OS_REPORTING_LINE', 0x3c4, 'XIVE: read the OS reporting line', XIVE],
  ['H_INT_ESB', 0x3c8, 'XIVE: load or store an event state buffer', XIVE],
  ['H_INT_SYNC', 0x3cc, 'XIVE: synchronise an interrupt source', XIVE],
  ['H_INT_RESET', 0x3d0, 'XIVE: reset the interrupt configuration', XIVE],
  ['H_SCM_READ_METADATA', 0x3e4, 'storage-class memory: read metadata', NVDIMM],
  ['H_SCM_WRITE_METADATA', 0x3e8, 'storage-class memory: write metadata', NVDIMM],
  ['H_SCM_BIND_MEM', 0x3ec, 'storage-class memory: bind blocks to guest addresses', NVDIMM],
  ['H_SCM_UNBIND_MEM', 0x3f0, 'storage-class memory: unbind blocks', NVDIMM],
  ['H_SCM_QUERY_BLOCK_MEM_BINDING', 0x3f4, 'storage-class memory: where a block is bound'],
  ['H_SCM_QUERY_LOGICAL_MEM_BINDING', 0x3f8, 'storage-class memory: which block an address is bound to'],
  ['H_SCM_UNBIND_ALL', 0x3fc, 'storage-class memory: unbind everything', NVDIMM],
  ['H_SCM_HEALTH', 0x400, 'storage-class memory: health status'],
  ['H_SCM_PERFORMANCE_STATS', 0x418, 'storage-class memory: performance statistics (MAX_HCALL_OPCODE)'],
  ['H_SVM_PAGE_IN', 0xef00, 'Ultravisor to hypervisor: page a secure VM page in'],
  ['H_SVM_PAGE_OUT', 0xef04, 'Ultravisor to hypervisor: page a secure VM page out'],
  ['H_SVM_INIT_START', 0xef08, 'Ultravisor to hypervisor: a VM starts to become secure'],
  ['H_SVM_INIT_DONE', 0xef0c, 'Ultravisor to hypervisor: the VM is secure'],
  ['H_SVM_INIT_ABORT', 0xef14, 'Ultravisor to hypervisor: abort the switch to secure'],
  ['H_RTAS', 0xf000, 'call RTAS (QEMU: KVMPPC_H_RTAS, KVMPPC_HCALL_BASE + 0)', SPAPR_HCALL],
  ['H_GET_24X7_CATALOG_PAGE', 0xf078, 'PowerVM: read a page of the 24x7 counter catalog'],
  ['H_GET_24X7_DATA', 0xf07c, 'PowerVM: read 24x7 counters'],
  ['H_GET_PERF_COUNTER_INFO', 0xf080, 'PowerVM: read performance counter information'],
  ['H_SET_PARTITION_TABLE', 0xf800, 'nested KVM-HV: register the L1 partition table'],
  ['H_ENTER_NESTED', 0xf804, 'nested KVM-HV: run an L2 guest'],
  ['H_TLB_INVALIDATE', 0xf808, 'nested KVM-HV: invalidate L2 translations'],
  ['H_COPY_TOFROM_GUEST', 0xf80c, 'nested KVM-HV: copy to or from L2 memory'],
];

/** Opcodes only QEMU 5.0.0 names (include/hw/ppc/spapr.h). */
const QEMU: readonly (readonly [string, number, string, string?])[] = [
  ['H_CLEAN_SLB', 0x374, 'clean the SLB', SPAPR_HCALL],
  ['H_INVALIDATE_PID', 0x378, 'invalidate the translations of a process', SPAPR_HCALL],
  ['SVM_H_TPM_COMM', 0xef10, 'QEMU private (SVM_HCALL_BASE range): pass a TPM command on for a secure VM (with the spapr-tpm-proxy device)', TPM],
  ['KVMPPC_H_LOGICAL_MEMOP', 0xf001, 'QEMU private: copy or invert logical memory (used by SLOF)', SPAPR_HCALL],
  ['KVMPPC_H_CAS', 0xf002, 'QEMU private: ibm,client-architecture-support, the firmware/OS capability negotiation', SPAPR_HCALL],
  ['KVMPPC_H_UPDATE_DT', 0xf003, 'QEMU private: hand the updated device tree to QEMU (KVMPPC_HCALL_MAX)', SPAPR_HCALL],
];

function hcalls(origin: PaprHcallOrigin, rows: readonly (readonly [string, number, string, string?])[]): PaprHcall[] {
  return rows.map(([name, opcode, summary, qemu]) => ({ name, opcode, summary, origin, qemu }));
}

/** Every opcode, in opcode order. */
export const PAPR_HCALLS: readonly PaprHcall[] = [...hcalls('linux', LINUX), ...hcalls('qemu', QEMU)].sort((a, b) => a.opcode - b.opcode);

/** `MAX_HCALL_OPCODE` of Linux v5.7 (H_SCM_PERFORMANCE_STATS). */
export const LINUX_MAX_HCALL_OPCODE = 0x418;

/** `MAX_HCALL_OPCODE` of QEMU 5.0.0 (H_SCM_UNBIND_ALL): QEMU's table stops there. */
export const QEMU_MAX_HCALL_OPCODE = 0x3fc;

/** `KVMPPC_HCALL_BASE`: QEMU's private hcalls start here (PAPR reserves 0xF000–0xFFFC for platform-specific hcalls). */
export const KVMPPC_HCALL_BASE = 0xf000;
