/** `catalog:@pydantic/genai-prices@0.1.8` → a "catalog" badge and the version; no source: "unpriced" and why. */
export function PriceSource({ source, unpricedReason }: { source: string | null; unpricedReason?: string | null }) {
  const kind = source === null ? 'unpriced' : source.split(':')[0];
  return (
    <>
      <span className={`badge badge-${kind}`}>{kind}</span> {source?.replace(/^[a-z]+:/, '') ?? unpricedReason ?? ''}
    </>
  );
}
