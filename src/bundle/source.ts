// Room: bundle (src/bundle/) — may import core, redaction (the rule: tests/architecture.test.ts).
/**
 * What the bundle reader reads: a `.tar.gz` path, or a path with its own way of opening the tar.gz
 * bytes (an encrypted bundle decrypted as it streams, age.ts; the writer's archive before it is
 * encrypted). Every reader entry point takes either, so `verify`, `inspect`, `analyze` and `diff` read
 * an encrypted bundle through the same validated reader without writing plaintext anywhere.
 */
import type { Readable } from 'node:stream';
import { openInputStream } from '../core/open-input.js';

/** How a bundle is named when it is not a regular file (each read opens and checks its own descriptor). */
export const BUNDLE_INPUT = { what: 'bundle', hint: 'pass a bundle file (collect-bundle-*.tar.gz)' } as const;

/** A bundle path, or a path and how to open its tar.gz bytes (called once per read). */
export type BundleInput = string | { readonly file: string; readonly open: () => Promise<Readable> };

/** The file name a bundle input stands for (used in messages and results). */
export const inputFile = (input: BundleInput): string => (typeof input === 'string' ? input : input.file);

/** A fresh stream of the input's tar.gz bytes. */
export const openBundleBytes = (input: BundleInput): Promise<Readable> => (typeof input === 'string' ? openInputStream(input, BUNDLE_INPUT) : input.open());
