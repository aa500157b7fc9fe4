// Text search that ignores Vietnamese diacritics and case: "ea tam" finds "Ea Tam",
// "dak lak" finds "Đắk Lắk" (đ is a letter of its own in Unicode, not d + a mark, so it is mapped).

/** Lower case, no combining marks, đ → d, runs of spaces as one: the form both sides are compared in. */
export function foldText(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}

/** A query's words, folded; every word must occur in the haystack (in any order). */
export function queryWords(query: string): string[] {
  return foldText(query).split(' ').filter((w) => w.length > 0);
}

export function matchesWords(foldedHaystack: string, words: readonly string[]): boolean {
  return words.every((w) => foldedHaystack.includes(w));
}
