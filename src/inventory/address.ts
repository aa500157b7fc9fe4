// Management addresses reach command lines (fping reads them on stdin, ping gets them as an
// argument), so only an IP literal or an RFC 1123 host name is accepted: no spaces, no shell
// metacharacters, no leading "-" that a program would read as an option.
import { isIP } from 'node:net';

const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const HOSTNAME = new RegExp(`^(?=.{1,253}$)${LABEL}(?:\\.${LABEL})*\\.?$`);

/** Why `address` is not a safe target, or undefined when it is one. */
export function addressProblem(address: unknown): string | undefined {
  if (typeof address !== 'string' || address === '') return 'address must be a non-empty string';
  if (isIP(address) !== 0) return undefined;
  if (address.startsWith('-')) return `address "${address}" starts with "-" (would be read as an option)`;
  if (/[^A-Za-z0-9.-]/.test(address)) return `address "${address}" is neither an IP literal nor a valid host name (contains ${JSON.stringify(address.match(/[^A-Za-z0-9.-]/)![0])})`;
  if (/^[0-9.]+$/.test(address)) return `address "${address}" is not a valid IPv4 literal`;
  if (!HOSTNAME.test(address)) return `address "${address}" is not a valid host name`;
  return undefined;
}

export class UnsafeTargetError extends Error {
  constructor(readonly target: string, reason: string) {
    super(`refusing target: ${reason}`);
    this.name = 'UnsafeTargetError';
  }
}

/** Throw unless `address` is safe to hand to a process. Probes call this as a second line of defence. */
export function assertSafeTarget(address: string): string {
  const problem = addressProblem(address);
  if (problem) throw new UnsafeTargetError(address, problem);
  return address;
}

/** True for 127.0.0.0/8 and ::1: the only addresses shipped defaults may touch. */
export function isLoopback(address: string): boolean {
  if (isIP(address) === 4) return address.startsWith('127.');
  return address === '::1';
}
