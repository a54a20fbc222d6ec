import { formatUsdExact } from '../../web/src/money';
import { shiftDecimal, unitPriceLine, unitPriceLines } from '../../web/src/unit-prices';

describe('the dashboard quotes unit prices as price lists do', () => {
  it('moves the decimal point exactly, however many digits the price has', () => {
    expect(shiftDecimal('0.0000025', 6)).toBe('2.5');
    expect(shiftDecimal('0.00000015', 6)).toBe('0.15');
    expect(shiftDecimal('0.000000000000001', 6)).toBe('0.000000001');
    expect(shiftDecimal('3', 6)).toBe('3000000');
    expect(shiftDecimal('0.000015', 3)).toBe('0.015');
    expect(shiftDecimal('0.04', 0)).toBe('0.04');
  });

  it('prices tokens per 1M, characters per 1K, images, seconds and requests each, and a fee as a percentage', () => {
    expect(unitPriceLine('input_tokens', '0.0000025', 'en-US')).toEqual({ unit: 'input_tokens', amount: '$2.50', per: 'per 1M input tokens' });
    expect(unitPriceLine('cache_read_tokens', '0.0000003', 'en-US')).toMatchObject({ amount: '$0.30', per: 'per 1M cache read tokens' });
    expect(unitPriceLine('output_audio_tokens', '0.00008', 'en-US')).toMatchObject({ amount: '$80.00', per: 'per 1M audio output tokens' });
    expect(unitPriceLine('characters', '0.000015', 'en-US')).toMatchObject({ amount: '$0.015', per: 'per 1K characters' });
    expect(unitPriceLine('images', '0.04', 'en-US')).toMatchObject({ amount: '$0.04', per: 'per image' });
    expect(unitPriceLine('audio_seconds', '0.0001', 'en-US')).toMatchObject({ amount: '$0.0001', per: 'per second of audio' });
    expect(unitPriceLine('requests', '0.035', 'en-US')).toMatchObject({ amount: '$0.035', per: 'per request' });
    expect(unitPriceLine('payment_percent', '0.029', 'en-US')).toMatchObject({ amount: '2.9 %', per: 'of the amount charged' });
    expect(unitPriceLine('payment_fixed', '0.3', 'en-US')).toMatchObject({ amount: '$0.30', per: 'per payment' });
  });

  it('quotes cached audio, image, video and 1-hour cache write tokens per 1M too', () => {
    expect(unitPriceLine('cache_audio_read_tokens', '0.0000004', 'en-US')).toMatchObject({ amount: '$0.40', per: 'per 1M cached audio input tokens' });
    expect(unitPriceLine('input_image_tokens', '0.000005', 'en-US')).toMatchObject({ amount: '$5.00', per: 'per 1M image input tokens' });
    expect(unitPriceLine('cache_image_read_tokens', '0.0000005', 'en-US')).toMatchObject({ amount: '$0.50', per: 'per 1M cached image input tokens' });
    expect(unitPriceLine('input_video_tokens', '0.000003', 'en-US')).toMatchObject({ amount: '$3.00', per: 'per 1M video input tokens' });
    expect(unitPriceLine('output_image_tokens', '0.00003', 'en-US')).toMatchObject({ amount: '$30.00', per: 'per 1M image output tokens' });
    expect(unitPriceLine('cache_write_1h_tokens', '0.000006', 'en-US')).toMatchObject({ amount: '$6.00', per: 'per 1M 1-hour cache write tokens' });
  });

  it('keeps every digit of a price below a cent per 1M tokens', () => {
    expect(unitPriceLine('input_tokens', '0.0000000125', 'en-US').amount).toBe('$0.0125');
    expect(unitPriceLine('input_tokens', '0.000000000000001', 'en-US').amount).toBe('$0.000000001');
  });

  it('lists token prices first, input before output', () => {
    expect(unitPriceLines({ output_tokens: '0.00001', images: '0.04', input_tokens: '0.0000025', cache_read_tokens: '0.00000125' }).map((l) => l.unit)).toEqual(
      ['input_tokens', 'cache_read_tokens', 'output_tokens', 'images'],
    );
  });
});

describe('the dashboard shows exact amounts to their last digit', () => {
  it('keeps every significant digit and at least the cents', () => {
    expect(formatUsdExact('0.031950000', 'en-US')).toBe('$0.03195');
    expect(formatUsdExact('0.004000000', 'en-US')).toBe('$0.004');
    expect(formatUsdExact('1234.500000000', 'en-US')).toBe('$1,234.50');
    expect(formatUsdExact('0.000000001', 'en-US')).toBe('$0.000000001');
    expect(formatUsdExact(null, 'en-US')).toBe('—');
  });
});
