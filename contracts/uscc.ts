/**
 * The unified social credit code (统一社会信用代码) of GB 32100-2015: 18 characters from a
 * 31-character alphabet (digits and capitals without I, O, Z, S, V): registration authority,
 * organisation category, six-digit administrative division, nine-character organisation
 * code, and a check character computed from the first seventeen with weights 3^i mod 31.
 */
const ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const;

/** Why a code is refused, in the order the checks run. */
export type UsccCode = "uscc_length" | "uscc_character" | "uscc_division" | "uscc_check_digit";

export type UsccCheck = { ok: true; code: string } | { ok: false; reason: UsccCode };

/** The check character for the first seventeen characters (which must be in the alphabet). */
export function usccCheckCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += ALPHABET.indexOf(first17[i] ?? "") * WEIGHTS[i]!;
  return ALPHABET[(31 - (sum % 31)) % 31]!;
}

/**
 * Checks a code as typed: surrounding spaces and lower case are forgiven (the normalised
 * code is returned), anything else that is wrong is named.
 */
export function checkUscc(text: string): UsccCheck {
  const code = text.trim().toUpperCase();
  if (code.length !== 18) return { ok: false, reason: "uscc_length" };
  if ([...code].some((character) => !ALPHABET.includes(character))) return { ok: false, reason: "uscc_character" };
  if (!/^\d{6}$/.test(code.slice(2, 8))) return { ok: false, reason: "uscc_division" };
  if (usccCheckCharacter(code) !== code[17]) return { ok: false, reason: "uscc_check_digit" };
  return { ok: true, code };
}
