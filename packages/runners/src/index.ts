/** Placeholder: see README.md for what is coming. */
export const PACKAGE = '@troupe/runners';
