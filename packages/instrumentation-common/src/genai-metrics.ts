import type { Attributes, Histogram, Meter } from '@opentelemetry/api';
import * as sc from '@tokenledger/semconv';

/** Token usage as the GenAI convention counts it: input includes cache reads and writes, output includes reasoning. */
export interface Usage {
  input?: number;
  output?: number;
  cacheRead?: number;
  cacheWrite?: number;
  reasoning?: number;
  /** Audio tokens, a part of input, priced at the audio rate. */
  audioInput?: number;
  /** Audio tokens, a part of output, priced at the audio rate. */
  audioOutput?: number;
  /** Finer details, in one object: most calls have none, and then ending one looks at a single field. */
  details?: UsageDetails;
}

/** Token details priced at their own rates where a model has them, each a part of a count of Usage. */
export interface UsageDetails {
  /** Cached audio tokens: a part of audioInput and of cacheRead. */
  audioCacheRead?: number;
  /** Image tokens, a part of input. */
  imageInput?: number;
  /** Cached image tokens: a part of imageInput and of cacheRead. */
  imageCacheRead?: number;
  /** Video tokens, a part of input. */
  videoInput?: number;
  /** Image tokens, a part of output. */
  imageOutput?: number;
  /** Cache writes with a 1-hour TTL, a part of cacheWrite. */
  cacheWrite1h?: number;
}

/** What a call's metrics are recorded by (never user ids: metric cardinality stays bounded). */
export interface MetricKey {
  operation: string;
  provider: string;
  requestModel: string;
  serverAddress: string | null;
}

/** The attribute sets one kind of call records its metrics with, made once and reused. */
interface AttributeSets {
  /** What they were made for. */
  operation: string;
  provider: string;
  requestModel: string;
  serverAddress: string | null;
  responseModel: string | null;
  errorType: string | undefined;
  /** operation, provider, request and response model, server address. */
  call: Attributes;
  /** `call`, and error.type when the call failed. */
  duration: Attributes;
  input: Attributes;
  output: Attributes;
}

/**
 * Distinct metric attribute sets are few (operations × models × servers × error types): past this
 * many, the cache starts over rather than grow with a stream of made-up model names.
 */
const MAX_ATTRIBUTE_SETS = 1000;

/** The GenAI client metrics, with the spec's bucket boundaries. */
export class GenAiMetrics {
  private readonly tokens: Histogram;
  private readonly duration: Histogram;
  private readonly timeToFirstChunk: Histogram;
  private readonly attributeSets = new Map<string, AttributeSets>();
  /** The sets of the last call: an app mostly makes the same kind of call again. */
  private lastSets: AttributeSets | null = null;

  constructor(meter: Meter) {
    this.tokens = meter.createHistogram(sc.METRIC_GEN_AI_CLIENT_TOKEN_USAGE, {
      unit: '{token}',
      description: 'Tokens used per GenAI call',
      advice: { explicitBucketBoundaries: [...sc.TOKEN_USAGE_BUCKETS] },
    });
    this.duration = meter.createHistogram(sc.METRIC_GEN_AI_CLIENT_OPERATION_DURATION, {
      unit: 's',
      description: 'Duration of GenAI calls',
      advice: { explicitBucketBoundaries: [...sc.OPERATION_DURATION_BUCKETS] },
    });
    this.timeToFirstChunk = meter.createHistogram(sc.METRIC_GEN_AI_CLIENT_OPERATION_TIME_TO_FIRST_CHUNK, {
      unit: 's',
      description: 'Time to the first chunk of streamed GenAI responses',
      advice: { explicitBucketBoundaries: [...sc.TIME_TO_FIRST_CHUNK_BUCKETS] },
    });
  }

  record(
    key: MetricKey,
    responseModel: string | null,
    usage: Usage | null,
    errorType: string | undefined,
    seconds: number,
    firstChunkSeconds: number | null,
  ): void {
    const sets = this.setsFor(key, responseModel, errorType);
    this.duration.record(seconds, sets.duration);
    if (firstChunkSeconds !== null) this.timeToFirstChunk.record(firstChunkSeconds, sets.call);
    if (usage?.input !== undefined) this.tokens.record(usage.input, sets.input);
    if (usage?.output !== undefined) this.tokens.record(usage.output, sets.output);
  }

  private setsFor(key: MetricKey, responseModel: string | null, errorType: string | undefined): AttributeSets {
    const last = this.lastSets;
    if (
      last !== null &&
      last.requestModel === key.requestModel &&
      last.responseModel === responseModel &&
      last.operation === key.operation &&
      last.provider === key.provider &&
      last.serverAddress === key.serverAddress &&
      last.errorType === errorType
    ) {
      return last;
    }
    this.lastSets = this.lookUpSets(key, responseModel, errorType);
    return this.lastSets;
  }

  private lookUpSets(key: MetricKey, responseModel: string | null, errorType: string | undefined): AttributeSets {
    const id = `${key.operation}\u0000${key.provider}\u0000${key.requestModel}\u0000${responseModel ?? ''}\u0000${key.serverAddress ?? ''}\u0000${errorType ?? ''}`;
    let sets = this.attributeSets.get(id);
    if (sets === undefined) {
      if (this.attributeSets.size >= MAX_ATTRIBUTE_SETS) this.attributeSets.clear();
      sets = makeSets(key, responseModel, errorType);
      this.attributeSets.set(id, sets);
    }
    return sets;
  }
}

/**
 * An attribute set with its keys in sorted order: the metrics SDK sorts a set's keys to hash it on
 * every record, and a sort of keys already in order is the cheapest.
 */
function sorted(attributes: Attributes): Attributes {
  const out: Attributes = {};
  for (const key of Object.keys(attributes).sort()) out[key] = attributes[key];
  return out;
}

function makeSets(key: MetricKey, responseModel: string | null, errorType: string | undefined): AttributeSets {
  const call: Attributes = {
    [sc.ATTR_GEN_AI_OPERATION_NAME]: key.operation,
    [sc.ATTR_GEN_AI_PROVIDER_NAME]: key.provider,
    [sc.ATTR_GEN_AI_REQUEST_MODEL]: key.requestModel,
  };
  if (responseModel) call[sc.ATTR_GEN_AI_RESPONSE_MODEL] = responseModel;
  if (key.serverAddress) call[sc.ATTR_SERVER_ADDRESS] = key.serverAddress;
  return {
    operation: key.operation,
    provider: key.provider,
    requestModel: key.requestModel,
    serverAddress: key.serverAddress,
    responseModel,
    errorType,
    call: sorted(call),
    duration: sorted(errorType ? { ...call, [sc.ATTR_ERROR_TYPE]: errorType } : call),
    input: sorted({ ...call, [sc.ATTR_GEN_AI_TOKEN_TYPE]: sc.GenAiTokenType.INPUT }),
    output: sorted({ ...call, [sc.ATTR_GEN_AI_TOKEN_TYPE]: sc.GenAiTokenType.OUTPUT }),
  };
}
