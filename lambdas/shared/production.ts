/**
 * Production-like: contains "prod" in any case or width (NFKC folds full-width letters), or equals the
 * production identifier. Used by the config check at synth and by the runtime guard.
 */
export function looksLikeProduction(identifier: string, production: string): boolean {
  const fold = (s: string) => s.normalize('NFKC').trim().toLowerCase();
  const id = fold(identifier);
  return id.includes('prod') || id === fold(production);
}
