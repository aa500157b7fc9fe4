// A secret value (community, v3 key, token, SMTP password) that cannot leak by accident:
// it prints, serialises and inspects as "[secret]"; only `reveal()` returns the text.
import { inspect } from 'node:util';

export const REDACTED = '[secret]';

export class Secret {
  readonly #value: string;
  /** Where the value came from, safe to show: "inline", "env NAME" or "file PATH". */
  readonly origin: string;

  constructor(value: string, origin: string) {
    this.#value = value;
    this.origin = origin;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}

/** In the schema's static type a secret is a string (as written) or a Secret (once loaded). */
export type SecretValue = string | Secret;

export function revealSecret(value: SecretValue | undefined): string | undefined {
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : value.reveal();
}
