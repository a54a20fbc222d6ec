import { formatUsdExact } from './money';

/**
 * Unit prices as price lists print them. The API keeps each as exact USD per one unit
 * (`input_tokens: "0.0000025"`); people read $2.50 per 1M input tokens, $0.015 per 1K characters.
 * The decimal point is moved within the string, so no digit is lost on the way.
 */
interface Scale {
  /** Units per quoted amount, as a power of ten (6: per 1M). */
  exponent: number;
  /** What the quoted amount buys. */
  per: string;
}

const TOKEN_KINDS: Record<string, string> = {
  input_tokens: 'input',
  cache_read_tokens: 'cache read',
  cache_write_tokens: 'cache write',
  cache_write_1h_tokens: '1-hour cache write',
  input_audio_tokens: 'audio input',
  cache_audio_read_tokens: 'cached audio input',
  input_image_tokens: 'image input',
  cache_image_read_tokens: 'cached image input',
  input_video_tokens: 'video input',
  output_tokens: 'output',
  output_audio_tokens: 'audio output',
  output_image_tokens: 'image output',
};

const OTHER_UNITS: Record<string, Scale> = {
  images: { exponent: 0, per: 'image' },
  audio_seconds: { exponent: 0, per: 'second of audio' },
  characters: { exponent: 3, per: '1K characters' },
  requests: { exponent: 0, per: 'request' },
  payment_fixed: { exponent: 0, per: 'payment' },
};

function scaleOf(unit: string): Scale {
  if (unit in TOKEN_KINDS) return { exponent: 6, per: `1M ${TOKEN_KINDS[unit]} tokens` };
  return OTHER_UNITS[unit] ?? { exponent: 0, per: unit.replace(/_/g, ' ') };
}

/** An exact non-negative decimal string times 10^exponent, exactly ("0.0000025", 6 → "2.5"). */
export function shiftDecimal(decimal: string, exponent: number): string {
  const [whole, fraction = ''] = decimal.split('.');
  const padded = fraction.padEnd(exponent, '0');
  const integer = (whole + padded.slice(0, exponent)).replace(/^0+(?=\d)/, '');
  const rest = padded.slice(exponent).replace(/0+$/, '');
  return rest ? `${integer}.${rest}` : integer;
}

export interface UnitPriceLine {
  unit: string;
  /** "$2.50", or for a percentage fee "2.9 %". */
  amount: string;
  /** "per 1M input tokens", "of the amount charged". */
  per: string;
}

/** One unit price as a reader quotes it; `locale`: the browser's by default. */
export function unitPriceLine(unit: string, usdPerUnit: string, locale?: string): UnitPriceLine {
  if (unit === 'payment_percent') return { unit, amount: `${shiftDecimal(usdPerUnit, 2)} %`, per: 'of the amount charged' };
  const scale = scaleOf(unit);
  return { unit, amount: formatUsdExact(shiftDecimal(usdPerUnit, scale.exponent), locale), per: `per ${scale.per}` };
}

/** Every unit price of a call or model, tokens first in the order price lists give them. */
export function unitPriceLines(unitPrices: Record<string, string>): UnitPriceLine[] {
  const order = [...Object.keys(TOKEN_KINDS), ...Object.keys(OTHER_UNITS)];
  const rank = (unit: string) => (order.includes(unit) ? order.indexOf(unit) : order.length);
  return Object.entries(unitPrices)
    .sort(([a], [b]) => rank(a) - rank(b))
    .map(([unit, usd]) => unitPriceLine(unit, usd));
}
