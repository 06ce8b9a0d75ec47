/**
 * The device tree blob against dtc, the reference compiler: what it
 * decompiles from hyplay's blob is the tree that was given.
 */

import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { cells64, encodeFdt, type FdtNode } from '../../src/loader/fdt.ts';
import { tempFiles } from '../support/temp-files.ts';

const dtc = spawnSync('dtc', ['--version']).status === 0;
if (!dtc) console.warn('skipping the dtc comparison: dtc (Debian package device-tree-compiler) is not installed');
const { file } = tempFiles('fdt');

const TREE: FdtNode = {
  name: '',
  properties: { '#address-cells': [2], '#size-cells': [2], compatible: 'linux,dummy-virt', empty: new Uint8Array(0) },
  children: [
    { name: 'chosen', properties: { bootargs: 'earlycon console=ttyAMA0', 'stdout-path': '/pl011@9000000' } },
    { name: 'memory@40000000', properties: { device_type: 'memory', reg: [...cells64(0x4000_0000), ...cells64(0x1_0000_0000)] } },
    { name: 'pl011@9000000', properties: { compatible: ['arm,pl011', 'arm,primecell'], reg: [0, 0x0900_0000, 0, 0x1000] } },
  ],
};

describe.skipIf(!dtc)('encodeFdt against dtc', () => {
  it('decompiles to the same tree, with the reserved range and boot CPU in the header', () => {
    const blob = encodeFdt(TREE, [[0x4800_0000, 0x1000]], 0);
    const result = spawnSync('dtc', ['-I', 'dtb', '-O', 'dts', '-q', file(blob, '.dtb')], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    const dts = result.stdout.replace(/\s+/g, ' ');
    expect(dts).toContain('/memreserve/ 0x0000000048000000 0x0000000000001000;');
    expect(dts).toContain('#address-cells = <0x02>;');
    expect(dts).toContain('compatible = "linux,dummy-virt";');
    expect(dts).toContain('empty;');
    expect(dts).toContain('chosen { bootargs = "earlycon console=ttyAMA0"; stdout-path = "/pl011@9000000"; };');
    expect(dts).toContain('memory@40000000 { device_type = "memory"; reg = <0x00 0x40000000 0x01 0x00>; };');
    expect(dts).toContain('pl011@9000000 { compatible = "arm,pl011\\0arm,primecell"; reg = <0x00 0x9000000 0x00 0x1000>; };');
  });
});

describe('encodeFdt', () => {
  it('writes the v17 header: magic, total size, version, last compatible version', () => {
    const blob = encodeFdt({ name: '' });
    const view = new DataView(blob.buffer);
    expect([view.getUint32(0), view.getUint32(4), view.getUint32(20), view.getUint32(24)]).toEqual([0xd00dfeed, blob.length, 17, 16]);
  });

  it('refuses a cell that is not a 32-bit unsigned integer', () => {
    expect(() => encodeFdt({ name: '', properties: { reg: [2 ** 32] } })).toThrow(/32-bit unsigned/);
  });
});
