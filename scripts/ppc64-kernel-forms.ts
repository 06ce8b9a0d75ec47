/**
 * Which instruction forms of a real ppc64 kernel hyplay's decoder leaves
 * undefined (issue 12 §2): every word of the kernel's text sections is
 * decoded by hyplay's ppc64 table and by llvm-objdump, and the words
 * llvm-objdump names but hyplay does not are counted by mnemonic, with the
 * boot-path functions (entry, early setup, the exception vectors, the
 * hypercall paths) counted apart. SPR moves of SPRs hyplay does not model
 * are counted by SPR number the same way.
 *
 *   tsx scripts/ppc64-kernel-forms.ts [vmlinux] [--all]
 *
 * The default image is Debian's ppc64el vmlinux in the image cache
 * (`scripts/kernel-images.sh` fetches it). Needs llvm-objdump (LLVM 14).
 * `--all` lists every missing mnemonic, not only the boot path's.
 *
 * @module
 */

import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { PPC64_TABLE } from '../arch/ppc64/table.ts';
import { SPR_BY_NUMBER } from '../arch/ppc64/registers.ts';
import { parseElf } from '../src/loader/elf.ts';

const cache = process.env.HYPLAY_IMAGE_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'hyplay', 'images');
const args = process.argv.slice(2);
const image = args.find((a) => !a.startsWith('--')) ?? join(cache, 'debian-ppc64el.vmlinux');
const listAll = args.includes('--all');
if (!existsSync(image)) {
  console.error(`ppc64-kernel-forms: no image at ${image} (run scripts/kernel-images.sh)`);
  process.exit(2);
}

/** Functions on the boot path: the entry, the early setup it calls, the real-mode vectors, the hypercall stubs. */
const BOOT_PATH = [
  /^__start/, /^start_first_256B/, /^__boot_from_prom/, /^__after_prom_start/, /^copy_to_here/, /^__secondary_hold/, /^__mmu_off/,
  /^start_here/, /^__start_initialization/, /^__enable_fpu/, /^enable_64b_mode/, /^relative_toc/, /^p_toc/, /^copy_and_flush/,
  /^early_setup/, /^early_init_devtree/, /^early_init_mmu/, /^setup_paca/, /^initialise_paca/, /^relocate/, /^prom_init/, /^__prom_init/,
  /^exc_real_/, /^exc_virt_/, /^system_call/, /^plpar_hcall/, /^plpar_/, /^__kvmppc_vcore_entry/, /^kvm_/, /^opal_/, /^__opal/,
  /^fixup_endian/, /^cpu_setup/, /^__setup_cpu/, /^__restore_cpu/, /^init_core_state/, /^__init_/, /^__machine_check/, /^hmi_/,
  /^idle_/, /^power9_/, /^power10_/, /^isa300_/, /^isa206_/, /^flush_/, /^slb_/, /^hash__/, /^radix__/, /^tlbiel/, /^do_feature_fixups/,
  /^setup_feature_keys/, /^apply_feature_fixups/, /^memset/, /^memcpy/, /^__memcpy/, /^strlen/, /^strcmp/, /^start_kernel/, /^setup_arch/,
];

const file = new Uint8Array(readFileSync(image));
const elf = parseElf(file);
const symbols = [...elf.symbols].filter((s) => s.type === 2 || s.type === 0).sort((a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));

/** The symbol an address falls in (the nearest one at or below). */
function symbolAt(address: bigint): string {
  let lo = 0;
  let hi = symbols.length - 1;
  let found = '';
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (symbols[mid]!.value <= address) {
      found = symbols[mid]!.name;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** Bytes at a virtual address, from the PT_LOAD segments. */
function wordAt(address: bigint): number | undefined {
  for (const segment of elf.segments) {
    const offset = address - segment.virtual;
    if (offset >= 0n && offset + 4n <= BigInt(segment.bytes.length)) {
      const o = Number(offset);
      const b = segment.bytes;
      return elf.endian === 'little' ? (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0 : ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
    }
  }
  return undefined;
}

const listing = execFileSync('llvm-objdump-14', ['-d', '--no-show-raw-insn', '-j', '.head.text', '-j', '.text', '-j', '.init.text', '-j', '.exit.text', image], { maxBuffer: 1 << 30, encoding: 'utf8' });

interface Tally {
  count: number;
  boot: number;
  example: string;
  where: Set<string>;
}
const missing = new Map<string, Tally>();
const sprs = new Map<string, Tally>();
let decoded = 0;
let total = 0;
const note = (map: Map<string, Tally>, key: string, boot: boolean, example: string, where: string): void => {
  const t = map.get(key) ?? { count: 0, boot: 0, example, where: new Set<string>() };
  t.count++;
  if (boot) {
    t.boot++;
    if (t.where.size < 4) t.where.add(where);
  }
  map.set(key, t);
};
for (const line of listing.split('\n')) {
  const match = /^([0-9a-f]{16}):\s+(\S+)\s*(.*)$/.exec(line);
  if (match === null || match[2] === '<unknown>') continue;
  const address = BigInt(`0x${match[1]}`);
  const word = wordAt(address);
  if (word === undefined) continue;
  total++;
  const symbol = symbolAt(address);
  const boot = BOOT_PATH.some((p) => p.test(symbol));
  const hit = PPC64_TABLE.decode(word);
  if (hit === undefined) {
    note(missing, match[2]!, boot, `${match[2]} ${match[3]}`.trim(), symbol);
    continue;
  }
  decoded++;
  if (hit.entry.def.name === 'MFSPR' || hit.entry.def.name === 'MTSPR') {
    const n = (hit.fields.sprh! << 5) | hit.fields.sprl!;
    if (!SPR_BY_NUMBER.has(n)) note(sprs, `${hit.entry.def.name.toLowerCase()} ${n}`, boot, `${match[2]} ${match[3]}`.trim(), symbol);
  }
}

const show = (title: string, map: Map<string, Tally>): void => {
  const rows = [...map].filter(([, t]) => listAll || t.boot > 0).sort((a, b) => b[1].boot - a[1].boot || b[1].count - a[1].count);
  console.log(`\n${title}: ${map.size} (${[...map.values()].filter((t) => t.boot > 0).length} on the boot path)`);
  for (const [key, t] of rows) console.log(`  ${key.padEnd(14)} ${String(t.count).padStart(7)} ${String(t.boot).padStart(6)}  ${t.example.padEnd(36)} ${[...t.where].join(' ')}`);
};
console.log(`${image}: ${total} instructions llvm-objdump decodes, ${decoded} hyplay decodes (${((100 * decoded) / total).toFixed(2)}%)`);
console.log('columns: mnemonic, occurrences, on the boot path, an example, boot-path functions');
show('mnemonics hyplay leaves undefined', missing);
show('SPR moves of SPRs hyplay does not model', sprs);
