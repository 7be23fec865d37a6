/**
 * The UID segment (00-99) of a user id or device token (DECISIONS D3 "UID segment"): the id is
 * left-padded with '0' to 3 characters, then the third- and second-to-last characters, read left
 * to right, give the tens and units. A digit counts as its value, any other character as its code
 * point modulo 10. Characters are code points, so an emoji counts once.
 */
export function uidSegment(id: string): number {
  const characters = Array.from(id);
  while (characters.length < 3) characters.unshift('0');
  const tens = characters[characters.length - 3];
  const units = characters[characters.length - 2];
  return 10 * digitOf(tens) + digitOf(units);
}

function digitOf(character: string): number {
  return /^[0-9]$/.test(character) ? Number(character) : (character.codePointAt(0) ?? 0) % 10;
}
