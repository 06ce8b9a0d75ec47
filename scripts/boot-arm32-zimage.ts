/**
 * Development aid: boot a zImage (default the newest cached Debian armmp
 * one) on the arm32 machine and print where it stops: the exceptions and
 * returns, every HVC with the dispatcher's reading, the last trace lines and
 * the stop reason.
 *
 * Usage: tsx scripts/boot-arm32-zimage.ts [zImage] [--steps N] [--engine jit|interp] [--last N]
 */

import { bootZimageFile, findArmmpZimage } from '../test/support/arm32-zimage.ts';

const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const value = args[i + 1];
  args.splice(i, 2);
  return value;
};
const steps = Number(option('--steps') ?? 4e9);
const engine = (option('--engine') ?? 'jit') as 'jit' | 'interp';
const last = Number(option('--last') ?? 40);
const path = args[0] ?? findArmmpZimage();
if (path === undefined) {
  console.error('no zImage given and none cached in ~/.cache/hyplay/images');
  process.exit(2);
}
const boot = bootZimageFile(path, { engine, traceLimit: last });
const started = Date.now();
let result = boot.run(Math.min(steps, 2e8));
while (result.reason === 'budget-exhausted' && boot.steps < steps && !boot.spinning()) {
  console.log(`.. ${boot.summary()} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  result = boot.run(Math.min(steps - boot.steps, 2e8));
}
console.log('== exceptions and returns');
for (const line of boot.transitionLines().slice(-60)) console.log(line);
console.log('== hypervisor calls');
for (const line of boot.hvcLines) console.log(line);
if (boot.spinLines !== undefined) {
  console.log(`== the last ${last} trace events before the spin at 0x${boot.spinAt!.toString(16)}`);
  for (const line of boot.spinLines) console.log(line);
} else {
  console.log(`== last ${last} trace events`);
  for (const line of boot.lastLines()) console.log(line);
}
if (boot.mmuNote !== undefined) console.log(`== ${boot.mmuNote}`);
console.log(`== stop: ${result.reason} at 0x${result.pc.toString(16)}: ${result.detail}`);
console.log(`== ${boot.summary()} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
