import { defineConfig } from 'vitest/config';

// .ci/run sets VITEST_JSON_OUT to get machine-readable totals; the usual console output stays.
const jsonOut = process.env.VITEST_JSON_OUT;
const reporters = ['default', 'json', ...(process.env.GITHUB_ACTIONS === 'true' ? ['github-actions'] : [])];

export default defineConfig({
  test: {
    ...(jsonOut ? { reporters, outputFile: { json: jsonOut } } : {}),
    projects: [
      {
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // One Chromium at a time: the machine has two cores and SwiftShader is CPU-bound.
          fileParallelism: false,
        },
      },
    ],
  },
});
