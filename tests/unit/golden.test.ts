/**
 * Golden test: both engines (the TypeScript reference and the WASM build) against an independent
 * PyTorch forward pass in float64, tensor by tensor, on the shipped weights.
 *
 * The fixture tests/fixtures/golden.json comes from scripts/golden_fixtures.py
 * (`/usr/bin/python3 scripts/golden_fixtures.py`) and records the sha256 of the weights it was made
 * from; when public/models/sort-nano.safetensors changes, rerun the script.
 *
 * GOLDEN_WEIGHTS=path overrides the weights file (for fixtures made with --weights).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { VOCAB, type GPTConfig } from '../../src/gpt/config.ts';
import { forwardReference } from '../../src/gpt/reference.ts';
import { loadWeights } from '../../src/gpt/safetensors.ts';
import { generate, SORT_LENGTH_STEPS, type NextToken } from './golden-helpers.ts';
