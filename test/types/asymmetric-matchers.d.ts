/// <reference types="jest" />
// @types/jest declares jest's asymmetric matchers (expect.any, expect.objectContaining, ...) as
// returning any, so every expected object that holds one reads as any to the type-aware lint. What they
// return is a matcher object, as jest's own `expect` package declares it: these overloads say so. The
// reference above loads @types/jest first, which puts these overloads ahead of its own.
declare namespace jest {
  interface Expect {
    anything(): AsymmetricMatcher;
    any(classType: unknown): AsymmetricMatcher;
    arrayContaining<E = unknown>(arr: readonly E[]): AsymmetricMatcher;
    objectContaining<E = object>(obj: E): AsymmetricMatcher;
    stringContaining(str: string): AsymmetricMatcher;
    stringMatching(str: string | RegExp): AsymmetricMatcher;
    closeTo(num: number, numDigits?: number): AsymmetricMatcher;
  }
}
