import { type CatalogMatch, catalogPricesAt, findCatalogModel, findCatalogModelById } from './catalog';

/** An OpenAI fine-tuned model id: `ft:<base>:<org>:<suffix>:<id>` (the suffix may be empty). */
export interface FineTunedId {
  base: string;
  org: string;
}

const FINE_TUNED = /^ft:([^:]+):([^:]*)(?::|$)/;

export function parseFineTuned(model: string): FineTunedId | null {
  const m = FINE_TUNED.exec(model.trim());
  return m ? { base: m[1], org: m[2] } : null;
}

/**
 * The catalog's fine-tuned rates for a fine-tuned id whose own name the catalog does not match: the
 * catalog lists them as `ft:<base model id>` (`ft:gpt-4o-mini`), while ids name their base as the
 * app asked for it (`gpt-4o-mini` or the snapshot `gpt-4o-mini-2024-07-18`).
 */
export function findFineTunedCatalogModel(providerId: string, model: string): CatalogMatch | null {
  const ft = parseFineTuned(model);
  if (!ft) return null;
  const base = findCatalogModel(providerId, ft.base);
  if (!base) return null;
  return findCatalogModelById(base.provider, (id) => id.startsWith('ft:') && id.slice(3).replace(/-$/, '') === base.model.id);
}

/**
 * The operator price-file entry that prices every fine-tune of this base model by this organisation,
 * filled with the base model's standard rates where the catalog knows them (fine-tuned inference is
 * usually billed higher: the entry says to check), else with placeholders the file reader refuses
 * until they are replaced.
 */
export function fineTunedPriceLine(provider: string, model: string, at: number): string {
  const ft = parseFineTuned(model)!;
  const base = findCatalogModel(provider, ft.base);
  const prices = base ? catalogPricesAt(base.model, at) : {};
  const rate = (key: string) => (typeof prices[key] === 'number' ? `"${prices[key]}"` : '"<USD per 1M tokens>"');
  const day = new Date(at).toISOString().slice(0, 10);
  const note = base
    ? `the base model's standard rates (${base.model.id}): replace them with the fine-tuned rates from your provider's price list`
    : "fill in the fine-tuned rates from your provider's price list";
  return [
    `# ${note}`,
    `- provider: ${provider}`,
    `  match: { starts_with: "ft:${ft.base}:${ft.org}:" }`,
    `  effective_from: ${day}`,
    `  prices: { input_mtok: ${rate('input_mtok')}, output_mtok: ${rate('output_mtok')} }`,
  ].join('\n');
}
