import { join } from 'node:path';
import { PriceBook, type UsageInput } from '../src';

/**
 * Hand-computed costs. Each expected value was worked out from the published price cited next to it
 * (USD per 1M tokens unless said otherwise), not by the code under test.
 */
const OPENAI = 'https://openai.com/api/pricing/';
const ANTHROPIC = 'https://www.anthropic.com/pricing#api';
const GEMINI = 'https://ai.google.dev/gemini-api/docs/pricing';
const OPERATOR = join(__dirname, 'fixtures', 'operator-prices.yaml');

type Case = [name: string, usage: UsageInput, expectedUsd: string, source: string];

const at = (iso: string) => Date.parse(iso);
const NOW = at('2026-11-01T12:00:00Z');

const cases: Case[] = [
  ['gpt-4o 1,500 in + 2,000 out', { provider: 'openai', model: 'gpt-4o', inputTokens: 1500, outputTokens: 2000 }, '0.023750000', `${OPENAI} GPT-4o $2.50/$10`],
  ['gpt-4o 1M input', { provider: 'openai', model: 'gpt-4o', inputTokens: 1_000_000 }, '2.500000000', `${OPENAI} GPT-4o $2.50 in`],
  ['gpt-4o 1M output', { provider: 'openai', model: 'gpt-4o', outputTokens: 1_000_000 }, '10.000000000', `${OPENAI} GPT-4o $10 out`],
  [
    'gpt-4o dated snapshot',
    { provider: 'openai', model: 'gpt-4o-2024-08-06', inputTokens: 1500, outputTokens: 2000 },
    '0.023750000',
    `${OPENAI} gpt-4o-2024-08-06 $2.50/$10`,
  ],
  [
    'gpt-4o with 1,000 cached input tokens',
    { provider: 'openai', model: 'gpt-4o', inputTokens: 1500, cacheReadTokens: 1000, outputTokens: 2000 },
    '0.022500000',
    `${OPENAI} GPT-4o cached input $1.25`,
  ],
  [
    'gpt-4-turbo 1,000 + 1,000',
    { provider: 'openai', model: 'gpt-4-turbo', inputTokens: 1000, outputTokens: 1000 },
    '0.040000000',
    `${OPENAI} GPT-4 Turbo $10/$30`,
  ],
  [
    'gpt-4-turbo snapshot 1M + 1M',
    { provider: 'openai', model: 'gpt-4-turbo-2024-04-09', inputTokens: 1e6, outputTokens: 1e6 },
    '40.000000000',
    `${OPENAI} GPT-4 Turbo $10/$30`,
  ],
  [
    'gpt-4o-mini 1 + 1 token',
    { provider: 'openai', model: 'gpt-4o-mini', inputTokens: 1, outputTokens: 1 },
    '0.000000750',
    `${OPENAI} GPT-4o mini $0.15/$0.60`,
  ],
  [
    'o3-mini reasoning tokens priced as output',
    { provider: 'openai', model: 'o3-mini', inputTokens: 1000, outputTokens: 5000, reasoningTokens: 4000 },
    '0.023100000',
    `${OPENAI} o3-mini $1.10/$4.40`,
  ],
  [
    'o3 before its 2025-06-10 price cut',
    { provider: 'openai', model: 'o3', inputTokens: 1e6, outputTokens: 1e6, timestamp: at('2025-06-01T00:00:00Z') },
    '50.000000000',
    `${OPENAI} o3 $10/$40 until 2025-06-10`,
  ],
  [
    'o3 after its 2025-06-10 price cut',
    { provider: 'openai', model: 'o3', inputTokens: 1e6, outputTokens: 1e6, timestamp: at('2025-06-11T00:00:00Z') },
    '10.000000000',
    `${OPENAI} o3 $2/$8 from 2025-06-10`,
  ],
  [
    'text-embedding-ada-002 1M tokens',
    { provider: 'openai', model: 'text-embedding-ada-002', operation: 'embeddings', inputTokens: 1e6 },
    '0.100000000',
    `${OPENAI} ada v2 $0.10`,
  ],
  [
    'text-embedding-ada-002 1,000 tokens',
    { provider: 'openai', model: 'text-embedding-ada-002', operation: 'embeddings', inputTokens: 1000 },
    '0.000100000',
    `${OPENAI} ada v2 $0.10`,
  ],
  [
    'text-embedding-3-small 1M tokens',
    { provider: 'openai', model: 'text-embedding-3-small', operation: 'embeddings', inputTokens: 1e6 },
    '0.020000000',
    `${OPENAI} $0.02`,
  ],
  [
    'gpt-4o-transcribe audio and text input',
    { provider: 'openai', model: 'gpt-4o-transcribe', inputTokens: 1100, inputAudioTokens: 1000, outputTokens: 500 },
    '0.011250000',
    `${OPENAI} gpt-4o-transcribe audio $6, text $2.50/$10`,
  ],
  // 100 text + 1,000 audio in = $0.00025 + $0.04; 300 text + 2,000 audio out = $0.003 + $0.16
  [
    'gpt-4o-audio-preview audio in and out',
    { provider: 'openai', model: 'gpt-4o-audio-preview-2025-06-03', inputTokens: 1100, inputAudioTokens: 1000, outputTokens: 2300, outputAudioTokens: 2000 },
    '0.203250000',
    'https://developers.openai.com/api/docs/models/gpt-4o-audio-preview text $2.50/$10, audio $40/$80',
  ],
  // 100 text + 1,000 audio in = $0.000015 + $0.01; 300 text + 2,000 audio out = $0.00018 + $0.04
  [
    'gpt-4o-mini-audio-preview audio in and out',
    { provider: 'openai', model: 'gpt-4o-mini-audio-preview', inputTokens: 1100, inputAudioTokens: 1000, outputTokens: 2300, outputAudioTokens: 2000 },
    '0.050195000',
    'https://developers.openai.com/api/docs/models/gpt-4o-mini-audio-preview text $0.15/$0.60, audio $10/$20',
  ],
  [
    'whisper-1 one minute',
    { provider: 'openai', model: 'whisper-1', operation: 'audio_transcription', audioSeconds: 60 },
    '0.006000000',
    `${OPENAI} Whisper $0.006/min`,
  ],
  [
    'whisper-1 90.5 seconds (billed by the second)',
    { provider: 'openai', model: 'whisper-1', operation: 'audio_transcription', audioSeconds: 90.5 },
    '0.009050000',
    `${OPENAI} Whisper $0.006/min`,
  ],
  [
    'tts-1-hd 1,000 characters',
    { provider: 'openai', model: 'tts-1-hd', operation: 'speech', characters: 1000 },
    '0.030000000',
    `${OPENAI} TTS HD $0.030/1K chars`,
  ],
  ['tts-1 1,000 characters', { provider: 'openai', model: 'tts-1', operation: 'speech', characters: 1000 }, '0.015000000', `${OPENAI} TTS $0.015/1K chars`],
  [
    'DALL-E 3 standard 1024x1024',
    { provider: 'openai', model: 'dall-e-3', images: { count: 1, size: '1024x1024', quality: 'standard' } },
    '0.040000000',
    `${OPENAI} DALL·E 3 standard $0.04`,
  ],
  [
    'DALL-E 3 HD 1024x1024',
    { provider: 'openai', model: 'dall-e-3', images: { count: 1, size: '1024x1024', quality: 'hd' } },
    '0.080000000',
    `${OPENAI} DALL·E 3 HD $0.08`,
  ],
  [
    'DALL-E 3 HD 1024x1792',
    { provider: 'openai', model: 'dall-e-3', images: { count: 1, size: '1024x1792', quality: 'hd' } },
    '0.120000000',
    `${OPENAI} DALL·E 3 HD $0.12`,
  ],
  [
    'DALL-E 3 standard 1792x1024, two images',
    { provider: 'openai', model: 'dall-e-3', images: { count: 2, size: '1792x1024', quality: 'standard' } },
    '0.160000000',
    `${OPENAI} DALL·E 3 standard $0.08`,
  ],
  [
    'DALL-E 3 without a quality is standard',
    { provider: 'openai', model: 'dall-e-3', images: { count: 1, size: '1024x1024' } },
    '0.040000000',
    `${OPENAI} DALL·E 3 standard $0.04`,
  ],
  ['DALL-E 2 512x512', { provider: 'openai', model: 'dall-e-2', images: { count: 1, size: '512x512' } }, '0.018000000', `${OPENAI} DALL·E 2 $0.018`],
  [
    'gpt-image-1 medium by image count',
    { provider: 'openai', model: 'gpt-image-1', images: { count: 1, size: '1024x1024', quality: 'medium' } },
    '0.042000000',
    `${OPENAI} gpt-image-1 medium $0.042`,
  ],
  [
    'gpt-image-1 by tokens when reported',
    { provider: 'openai', model: 'gpt-image-1', inputTokens: 50, outputTokens: 4160, images: { count: 1, size: '1024x1024', quality: 'medium' } },
    '0.166650000',
    `${OPENAI} gpt-image-1 text in $5, image out $40`,
  ],
  [
    'claude-3-5-sonnet 1,000 + 1,000',
    { provider: 'anthropic', model: 'claude-3-5-sonnet-20241022', inputTokens: 1000, outputTokens: 1000 },
    '0.018000000',
    `${ANTHROPIC} Claude 3.5 Sonnet $3/$15`,
  ],
  [
    'claude-3-5-sonnet 1M + 1M',
    { provider: 'anthropic', model: 'claude-3-5-sonnet-latest', inputTokens: 1e6, outputTokens: 1e6 },
    '18.000000000',
    `${ANTHROPIC} Claude 3.5 Sonnet $3/$15`,
  ],
  [
    'claude-3-5-sonnet cache read and write',
    { provider: 'anthropic', model: 'claude-3-5-sonnet-20241022', inputTokens: 1500, cacheReadTokens: 1000, cacheWriteTokens: 200, outputTokens: 2000 },
    '0.031950000',
    `${ANTHROPIC} cache write $3.75, cache hit $0.30`,
  ],
  [
    'claude-3-5-sonnet all cache write',
    { provider: 'anthropic', model: 'claude-3-5-sonnet-20241022', inputTokens: 10000, cacheWriteTokens: 10000 },
    '0.037500000',
    `${ANTHROPIC} cache write $3.75`,
  ],
  [
    'Claude 3.5 Sonnet through OpenRouter',
    { provider: 'openrouter', model: 'anthropic/claude-3.5-sonnet', inputTokens: 1e6, outputTokens: 1e6 },
    '18.000000000',
    'https://openrouter.ai/anthropic/claude-3.5-sonnet $3/$15',
  ],
  [
    'Qwen 2.5 72B 1M + 1M',
    { provider: 'openrouter', model: 'qwen/qwen-2.5-72b-instruct', inputTokens: 1e6, outputTokens: 1e6 },
    '0.510000000',
    'https://openrouter.ai/qwen/qwen-2.5-72b-instruct $0.12/$0.39 (catalog 0.1.8)',
  ],
  [
    'Qwen 2.5 72B 1,000 + 1,000',
    { provider: 'openrouter', model: 'qwen/qwen-2.5-72b-instruct', inputTokens: 1000, outputTokens: 1000 },
    '0.000510000',
    'https://openrouter.ai/qwen/qwen-2.5-72b-instruct $0.12/$0.39 (catalog 0.1.8)',
  ],
  [
    'Llama 3.1 70B 1M + 1M',
    { provider: 'deepinfra', model: 'meta-llama/Meta-Llama-3.1-70B-Instruct', inputTokens: 1e6, outputTokens: 1e6 },
    '0.750000000',
    'https://deepinfra.com/pricing Llama 3.1 70B $0.35/$0.40',
  ],
  [
    'Llama 3.1 70B 1,000 + 1,000',
    { provider: 'deepinfra', model: 'meta-llama/Meta-Llama-3.1-70B-Instruct', inputTokens: 1000, outputTokens: 1000 },
    '0.000750000',
    'https://deepinfra.com/pricing Llama 3.1 70B $0.35/$0.40',
  ],
  [
    'Gemini 1.5 Pro 1,000 + 1,000',
    { provider: 'gcp.gemini', model: 'gemini-1.5-pro', inputTokens: 1000, outputTokens: 1000 },
    '0.006250000',
    `${GEMINI} Gemini 1.5 Pro $1.25/$5 (≤128k)`,
  ],
  [
    'Gemini 1.5 Pro as models/ name',
    { provider: 'google', model: 'models/gemini-1.5-pro-002', inputTokens: 100_000, outputTokens: 1000 },
    '0.130000000',
    `${GEMINI} Gemini 1.5 Pro $1.25/$5 (≤128k)`,
  ],
  [
    'Gemini 2.5 Pro at the 200k tier boundary',
    { provider: 'gcp.gemini', model: 'gemini-2.5-pro', inputTokens: 200_000, outputTokens: 1000 },
    '0.260000000',
    `${GEMINI} Gemini 2.5 Pro $1.25/$10 up to 200k`,
  ],
  [
    'Gemini 2.5 Pro one token over the tier',
    { provider: 'gcp.gemini', model: 'gemini-2.5-pro', inputTokens: 200_001, outputTokens: 1000 },
    '0.515002500',
    `${GEMINI} Gemini 2.5 Pro $2.50/$15 over 200k`,
  ],
  [
    'Gemini 2.5 Flash with cached tokens',
    { provider: 'gcp.vertex_ai', model: 'gemini-2.5-flash', inputTokens: 10000, cacheReadTokens: 8000, outputTokens: 1000 },
    '0.003340000',
    `${GEMINI} 2.5 Flash $0.30/$2.50, cached $0.03`,
  ],
  [
    'DeepSeek chat at standard hours',
    { provider: 'deepseek', model: 'deepseek-chat', inputTokens: 1e6, outputTokens: 1e6, timestamp: at('2026-01-01T12:00:00Z') },
    '1.370000000',
    'https://api-docs.deepseek.com/quick_start/pricing $0.27/$1.10 (00:30–16:30 UTC)',
  ],
  [
    'DeepSeek chat at off-peak hours',
    { provider: 'deepseek', model: 'deepseek-chat', inputTokens: 1e6, outputTokens: 1e6, timestamp: at('2026-01-01T20:00:00Z') },
    '0.685000000',
    'https://api-docs.deepseek.com/quick_start/pricing off-peak $0.135/$0.55',
  ],
  [
    'Voxtral Small before its 2026-08-11 output price rise',
    { provider: 'mistral_ai', model: 'voxtral-small-2507', outputTokens: 1e6, timestamp: at('2026-08-10T00:00:00Z') },
    '0.300000000',
    'https://docs.mistral.ai (catalog: $0.30 out until 2026-08-11)',
  ],
  [
    'Voxtral Small after its 2026-08-11 output price rise',
    { provider: 'mistral_ai', model: 'voxtral-small-2507', outputTokens: 1e6, timestamp: at('2026-08-11T00:00:00Z') },
    '0.400000000',
    'https://docs.mistral.ai (catalog: $0.40 out from 2026-08-11)',
  ],
  [
    'gpt-4o through the batch API (50 % off)',
    { provider: 'openai', model: 'gpt-4o', inputTokens: 1500, outputTokens: 2000, batch: true },
    '0.011875000',
    'https://platform.openai.com/docs/guides/batch 50 %',
  ],
  [
    'Claude through the batch API (50 % off)',
    { provider: 'anthropic', model: 'claude-3-5-sonnet-20241022', inputTokens: 1000, outputTokens: 1000, batch: true, timestamp: at('2025-06-01T00:00:00Z') },
    '0.009000000',
    'https://docs.anthropic.com/en/docs/build-with-claude/batch-processing 50 %',
  ],
  [
    'Azure OpenAI deployment of gpt-4o',
    { provider: 'azure.ai.openai', model: 'gpt-4o', inputTokens: 1500, outputTokens: 2000 },
    '0.023750000',
    'https://azure.microsoft.com/pricing/details/cognitive-services/openai-service/ GPT-4o $2.50/$10',
  ],
  [
    'Stripe fee on $10.00',
    { provider: 'stripe', model: 'stripe', operation: 'payment', payment: { amountUsd: '10.00', gateway: 'stripe' } },
    '0.590000000',
    'https://stripe.com/pricing 2.9 % + $0.30',
  ],
  [
    'Stripe fee on $100.00',
    { provider: 'stripe', model: 'stripe', operation: 'payment', payment: { amountUsd: '100.00', gateway: 'stripe' } },
    '3.200000000',
    'https://stripe.com/pricing 2.9 % + $0.30',
  ],
  [
    'MercadoPago fee on $10.00',
    { provider: 'mercadopago', model: 'mercadopago', operation: 'payment', payment: { amountUsd: '10.00', gateway: 'mercadopago' } },
    '0.399000000',
    'https://www.mercadopago.com 3.99 %',
  ],
  [
    'MercadoPago fee on $0.01',
    { provider: 'mercadopago', model: 'mercadopago', operation: 'payment', payment: { amountUsd: '0.01', gateway: 'mercadopago' } },
    '0.000399000',
    'https://www.mercadopago.com 3.99 %',
  ],
  // Realtime: 300 uncached text × $4 + 100 cached text × $0.40 + 300 audio × $32 + 200 cached audio × $0.40 + 100 image × $5
  //   + 50 text out × $16 + 250 audio out × $64 = 0.0012 + 0.00004 + 0.0096 + 0.00008 + 0.0005 + 0.0008 + 0.016
  [
    'gpt-realtime text, audio and image in, cached text and audio, text and audio out',
    {
      provider: 'openai',
      model: 'gpt-realtime',
      inputTokens: 1000,
      cacheReadTokens: 300,
      inputAudioTokens: 500,
      outputTokens: 300,
      outputAudioTokens: 250,
      details: { cacheAudioReadTokens: 200, inputImageTokens: 100 },
    },
    '0.028220000',
    `${OPENAI} gpt-realtime text $4 / cached $0.40 / out $16, audio $32 / cached $0.40 / out $64, image $5`,
  ],
  // 700 text × $4 + 200 image × $5 + 100 cached image × $0.50
  [
    'gpt-realtime cached image tokens at the cached image rate',
    { provider: 'openai', model: 'gpt-realtime', inputTokens: 1000, cacheReadTokens: 100, details: { inputImageTokens: 300, cacheImageReadTokens: 100 } },
    '0.003850000',
    `${OPENAI} gpt-realtime text $4, image $5 / cached $0.50`,
  ],
  // 700 text × $0.60 + 200 image × $0.80 + 100 cached image × $0.08 + 100 audio out × $20
  [
    'gpt-realtime-mini image and cached image tokens',
    {
      provider: 'openai',
      model: 'gpt-realtime-mini',
      inputTokens: 1000,
      cacheReadTokens: 100,
      outputTokens: 100,
      outputAudioTokens: 100,
      details: { inputImageTokens: 300, cacheImageReadTokens: 100 },
    },
    '0.002588000',
    `${OPENAI} gpt-realtime-mini text $0.60, image $0.80 / cached $0.08, audio out $20`,
  ],
  // 100 text × $0.60 + 100 cached text × $0.30 + 400 audio × $10 + 400 cached audio × $0.30 + 50 text out × $2.40 + 150 audio out × $20
  [
    'gpt-4o-mini-realtime-preview with cached text and audio',
    {
      provider: 'openai',
      model: 'gpt-4o-mini-realtime-preview-2024-12-17',
      inputTokens: 1000,
      cacheReadTokens: 500,
      inputAudioTokens: 800,
      outputTokens: 200,
      outputAudioTokens: 150,
      details: { cacheAudioReadTokens: 400 },
    },
    '0.007330000',
    `${OPENAI} gpt-4o-mini-realtime-preview text $0.60 / cached $0.30 / out $2.40, audio $10 / cached $0.30 / out $20`,
  ],
  // 500 audio × $40 + 500 cached audio × $2.50 + 100 audio out × $80
  [
    'gpt-4o-realtime-preview-2024-12-17 audio',
    {
      provider: 'openai',
      model: 'gpt-4o-realtime-preview-2024-12-17',
      inputTokens: 1000,
      cacheReadTokens: 500,
      inputAudioTokens: 1000,
      outputTokens: 100,
      outputAudioTokens: 100,
      details: { cacheAudioReadTokens: 500 },
    },
    '0.029250000',
    `${OPENAI} gpt-4o-realtime-preview audio $40 / cached $2.50 / out $80`,
  ],
  // 500 audio × $100 + 500 cached audio × $20 + 100 audio out × $200
  [
    'gpt-4o-realtime-preview-2024-10-01 audio at its launch rates',
    {
      provider: 'openai',
      model: 'gpt-4o-realtime-preview-2024-10-01',
      inputTokens: 1000,
      cacheReadTokens: 500,
      inputAudioTokens: 1000,
      outputTokens: 100,
      outputAudioTokens: 100,
      details: { cacheAudioReadTokens: 500 },
    },
    '0.080000000',
    'https://openai.com/index/introducing-the-realtime-api/ audio $100 / $200, cached audio $20',
  ],
  // 3,000 uncached × $3 + 1,000 cache reads × $0.30 + 2,000 5-minute writes × $3.75 + 4,000 1-hour writes × $6 + 500 out × $15
  [
    'Claude 5-minute and 1-hour cache writes priced apart',
    {
      provider: 'anthropic',
      model: 'claude-sonnet-4-5-20250929',
      inputTokens: 10000,
      cacheReadTokens: 1000,
      cacheWriteTokens: 6000,
      outputTokens: 500,
      details: { cacheWrite1hTokens: 4000 },
    },
    '0.048300000',
    `${ANTHROPIC} Sonnet 4.5 $3 / $15, cache hits $0.30, 5m writes $3.75, 1h writes $6`,
  ],
  // 300 text × $0.50 + 600 audio × $3 + 100 video × $3 + 100 text out × $2 + 400 audio out × $12
  [
    'Gemini Live native audio: text, audio and video in, text and audio out',
    {
      provider: 'gcp.gemini',
      model: 'gemini-live-2.5-flash-preview',
      inputTokens: 1000,
      inputAudioTokens: 600,
      outputTokens: 500,
      outputAudioTokens: 400,
      details: { inputVideoTokens: 100 },
    },
    '0.007250000',
    `${GEMINI} Gemini 2.5 Flash Native Audio: in $0.50 text, $3 audio / video; out $2 text, $12 audio`,
  ],
  // 400 text + 200 image × $0.30 (one rate) + 400 audio × $1 + 100 out × $2.50
  [
    'Gemini 2.5 Flash audio input at its own rate, images at the text rate',
    { provider: 'gcp.gemini', model: 'gemini-2.5-flash', inputTokens: 1000, inputAudioTokens: 400, outputTokens: 100, details: { inputImageTokens: 200 } },
    '0.000830000',
    `${GEMINI} 2.5 Flash $0.30 text / image / video, $1 audio, $2.50 out`,
  ],
  // 100 in × $0.30 + 10 text out × $2.50 + 1,290 image out × $30
  [
    'Gemini 2.5 Flash Image output images at the image rate',
    { provider: 'gcp.gemini', model: 'gemini-2.5-flash-image', inputTokens: 100, outputTokens: 1300, details: { outputImageTokens: 1290 } },
    '0.038755000',
    `${GEMINI} 2.5 Flash Image $0.30 in, $2.50 text out, $30 image out`,
  ],
  [
    'a fine-tuned gpt-4o-mini named by its base alias',
    { provider: 'openai', model: 'ft:gpt-4o-mini:acme:custom:abc123', inputTokens: 1000, outputTokens: 1000 },
    '0.001500000',
    `${OPENAI} fine-tuned GPT-4o mini $0.30 / $1.20`,
  ],
  [
    'a fine-tuned gpt-4o snapshot',
    { provider: 'openai', model: 'ft:gpt-4o-2024-08-06:acme::abc123', inputTokens: 1000, outputTokens: 1000 },
    '0.018750000',
    `${OPENAI} fine-tuned GPT-4o $3.75 / $15`,
  ],
  [
    'a local Qwen embedding model is free, not unknown',
    { provider: 'qwen-local', model: 'qwen3-embedding-0.6b-q8', operation: 'embeddings', inputTokens: 1500 },
    '0.000000000',
    'self-hosted',
  ],
  [
    'an AI Horde image is free, not unknown',
    { provider: 'aihorde', model: 'stable-diffusion-xl', images: { count: 1, size: '512x512' } },
    '0.000000000',
    'https://aihorde.net',
  ],
];

const operatorCases: Case[] = [
  [
    'an operator price wins from its effective date',
    { provider: 'openai', model: 'gpt-4o', inputTokens: 1500, outputTokens: 2000, timestamp: at('2026-06-01T00:00:00Z') },
    '0.019000000',
    'operator file: gpt-4o $2.00/$8.00 from 2026-01-01',
  ],
  [
    'the catalog price applies before the operator price takes effect',
    { provider: 'openai', model: 'gpt-4o', inputTokens: 1500, outputTokens: 2000, timestamp: at('2025-12-31T23:59:59Z') },
    '0.023750000',
    `${OPENAI} GPT-4o $2.50/$10`,
  ],
  [
    'an operator discount multiplies the cost',
    { provider: 'anthropic', model: 'claude-3-5-sonnet-20241022', inputTokens: 1000, outputTokens: 1000, timestamp: NOW },
    '0.015300000',
    `${ANTHROPIC} $3/$15 × 0.85`,
  ],
  [
    'the total is rounded once, not per token kind (0.4 + 0.4 nano = 1 nano)',
    { provider: 'acme', model: 'tiny-model', inputTokens: 1, outputTokens: 1 },
    '0.000000001',
    'operator file: $0.0004/$0.0004 per 1M',
  ],
  ['half a nano rounds up', { provider: 'acme', model: 'half-nano-model', inputTokens: 1 }, '0.000000001', 'operator file: $0.0005 per 1M'],
  ['one and a half nanos round up to two', { provider: 'acme', model: 'half-nano-model', inputTokens: 3 }, '0.000000002', 'operator file: $0.0005 per 1M'],
];

describe('the price book reproduces published prices exactly', () => {
  const book = PriceBook.load({ pricesFile: null });
  it.each(cases)('%s', (_name, usage, expectedUsd, _source) => {
    const result = book.price({ timestamp: NOW, ...usage });
    expect(result).toMatchObject({ status: 'priced', costUsd: expectedUsd });
  });

  it('covers at least 40 hand-computed cases', () => {
    expect(cases.length + operatorCases.length).toBeGreaterThanOrEqual(40);
  });
});

describe('operator overrides', () => {
  const book = PriceBook.load({ pricesFile: OPERATOR });
  it.each(operatorCases)('%s', (_name, usage, expectedUsd, _source) => {
    expect(book.price({ timestamp: NOW, ...usage })).toMatchObject({ status: 'priced', costUsd: expectedUsd });
  });

  it('names the operator file as the source of the price it used', () => {
    const result = book.price({ provider: 'openai', model: 'gpt-4o', inputTokens: 1, timestamp: NOW });
    expect(result.status === 'priced' && result.sourceVersion).toMatch(/^operator:.*operator-prices\.yaml@sha256:[0-9a-f]{16}$/);
  });

  it("says what it priced: each unit's quantity, and the discount it multiplied the sum by", () => {
    const discounted = book.price({
      provider: 'anthropic',
      model: 'claude-3-5-sonnet-20241022',
      inputTokens: 1000,
      cacheReadTokens: 200,
      outputTokens: 1000,
      batch: true,
      timestamp: NOW,
    });
    expect(discounted).toMatchObject({
      status: 'priced',
      quantities: { input_tokens: '800', cache_read_tokens: '200', output_tokens: '1000' },
      multiplier: '0.425',
    });
    const plain = book.price({ provider: 'openai', model: 'whisper-1', audioSeconds: 12.5, timestamp: NOW });
    expect(plain).toMatchObject({ status: 'priced', quantities: { audio_seconds: '12.5' }, multiplier: '1' });
  });

  it('gives the price book a different version id than the book without the file', () => {
    expect(book.version).not.toBe(PriceBook.load({ pricesFile: null }).version);
  });
});

describe('what cannot be priced is said, never $0', () => {
  const book = PriceBook.load({ pricesFile: null });
  it('an unknown model is unpriced with reason unknown_model', () => {
    expect(book.price({ provider: 'openai', model: 'gpt-99-imaginary', inputTokens: 10, outputTokens: 10 })).toMatchObject({
      status: 'unpriced',
      reason: 'unknown_model',
    });
  });

  it('an image size with no price is unpriced with reason missing_dimension', () => {
    expect(book.price({ provider: 'openai', model: 'dall-e-3', images: { count: 1, size: '512x512', quality: 'standard' } })).toMatchObject({
      status: 'unpriced',
      reason: 'missing_dimension',
    });
  });

  it.each([
    ['constructor', 'prototype'],
    ['__proto__', '1024x1024'],
    ['hd', '__proto__'],
    ['standard', 'constructor'],
  ])('an image of quality %s and size %s, names no price table holds, is unpriced with reason missing_dimension', (quality, size) => {
    expect(book.price({ provider: 'openai', model: 'dall-e-3', images: { count: 1, size, quality } })).toMatchObject({
      status: 'unpriced',
      reason: 'missing_dimension',
    });
  });

  it.each([
    [{ inputTokens: 10, cacheReadTokens: 20 }, /cache read \+ cache write tokens \(20\) exceed input tokens \(10\)/],
    [{ inputTokens: -1 }, /inputTokens must be a non-negative integer/],
    [{ outputTokens: Number.NaN }, /outputTokens must be a non-negative integer/],
    [{ outputTokens: 1.5 }, /outputTokens must be a non-negative integer/],
    [{ outputTokens: 10, reasoningTokens: 11 }, /reasoning tokens \(11\) exceed output tokens \(10\)/],
  ])('invalid usage %j is unpriced with reason invalid_usage and says why', (bad, message) => {
    const result = book.price({ provider: 'openai', model: 'gpt-4o', ...bad });
    expect(result).toMatchObject({ status: 'unpriced', reason: 'invalid_usage' });
    expect(result.status === 'unpriced' && result.detail).toMatch(message);
  });

  it('an unknown payment gateway is unpriced', () => {
    expect(book.price({ provider: 'paypal', model: 'paypal', operation: 'payment', payment: { amountUsd: '5', gateway: 'paypal' } })).toMatchObject({
      status: 'unpriced',
      reason: 'unknown_model',
    });
  });
});

describe('a priced result can be audited', () => {
  const book = PriceBook.load({ pricesFile: null });
  it('keeps the unit prices, the lines, the source and the price-book version', () => {
    const result = book.price({ provider: 'openai', model: 'gpt-4o', inputTokens: 1500, cacheReadTokens: 500, outputTokens: 2000, timestamp: NOW });
    expect(result).toMatchObject({
      status: 'priced',
      costNanos: 23_125_000n, // 0.0025 + 0.000625 + 0.02
      unitPrices: { input_tokens: '0.0000025', cache_read_tokens: '0.00000125', output_tokens: '0.00001' },
      source: 'catalog',
      sourceVersion: 'catalog:@pydantic/genai-prices@0.1.8',
      priceBookVersion: book.version,
      matched: { provider: 'openai', model: 'gpt-4o' },
    });
    expect(result.status === 'priced' && result.lines.map((l) => [l.unit, l.quantity, l.costUsd])).toEqual([
      ['input_tokens', '1000', '0.0025'],
      ['cache_read_tokens', '500', '0.000625'],
      ['output_tokens', '2000', '0.02'],
    ]);
  });

  it('names supplemental data as the source of a price only it has', () => {
    expect(book.price({ provider: 'openai', model: 'tts-1', characters: 10 })).toMatchObject({
      source: 'supplemental',
      sourceVersion: 'supplemental:2026-11-30',
    });
  });
});
