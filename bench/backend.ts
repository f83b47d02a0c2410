/*
 * Section 7 of `npm run bench`: incident response over an organisation's backend. A generated
 * diy backend of N stacks × 10 checkpoints (every other object gzipped) on a real S3-compatible
 * server (gofakes3, 127.0.0.1), read by `vendorgate exposure` as a user runs it, for its wall time and
 * peak RSS (GNU time), at N/10, N and 3N stacks.
 *
 * Two vendors: Mixpanel, which every stack sends to (the report lists every stack and every
 * checkpoint file that held a field, so it grows with the fleet by design), and Sentry, which only
 * the first stack sends to (the same read of every checkpoint, and a report of one stack): Sentry's
 * peak is what the read itself costs. Memory is flat when that peak barely moves as the read
 * grows: from N/10 to N stacks, ten times the checkpoints, and from N to 3N.
 *
 * The peer in the same run is what the AWS SDK alone pays: listing and downloading the same
 * objects with the same concurrency, parsing nothing.
 */
import { join } from "node:path";
import { GetObjectCommand, paginateListObjectsV2 } from "@aws-sdk/client-s3";
import pLimit from "p-limit";
import { generateBackend, type GeneratedBackend } from "../test/support/generated-backend.ts";
import { S3_ENV, startS3Server } from "../test/support/s3-server.ts";
import { median, progress, repoRoot, round, timeCommand } from "./lib.ts";

export interface BackendRun {
  stacks: number;
  checkpoints: number;
  objects: number;
  megabytes: number;
  generateSeconds: number;
  exposureMs: number[];
  medianMs: number;
  /** Median of the runs' peak RSS, exposure for Mixpanel (every stack in the report). */
  peakRssMiB: number;
  /** Bytes of the Mixpanel report (JSON). */
  reportBytes: number;
  /** Median of the runs' peak RSS, exposure for Sentry (one stack in the report). */
  readPeakRssMiB: number;
  readPeaksMiB: number[];
  stacksInReport: number;
  checkpointsInReport: number;
}

export interface BackendBench {
  runs: BackendRun[];
  rawDownloadMs: number;
  ratioVsRawDownload: number;
  /** Sentry's peak at 3N over N (three times the checkpoints). */
  readPeakRatio: number;
  /** The same at N over N/10. */
  readPeakRatioShort: number;
  /** Mixpanel's peak at N over N/10. */
  peakRatio: number;
  concurrency: number;
}

export async function backendBench(opts: { stacks: number; checkpoints: number; runs: number }): Promise<BackendBench> {
  const server = await startS3Server();
  const bin = join(repoRoot, "bin/vendorgate.js");
  const concurrency = 32;
  try {
    const runs: BackendRun[] = [];
    let rawDownloadMs = 0;
    for (const stacks of [Math.max(1, Math.round(opts.stacks / 10)), opts.stacks, opts.stacks * 3]) {
      const bucket = `fleet-${stacks}`;
      await server.createBucket(bucket);
      progress(`7/7 backend: generating ${stacks} stacks × ${opts.checkpoints} checkpoints on the local S3 server`);
      const t0 = performance.now();
      const gen: GeneratedBackend = await generateBackend({ stacks, checkpoints: opts.checkpoints, put: (key, body) => server.put(bucket, `org/${key}`, body), concurrency });
      const generateSeconds = round((performance.now() - t0) / 1000, 1);
      const url = server.url(bucket, "org");
      const exposure = (vendor: string) => {
        const r = timeCommand(process.execPath, [bin, "exposure", "--vendor", vendor, "--backend", url, "--format", "json", "--registry", "examples/shop/policy/vendors.yaml"], {
          env: { ...process.env, ...S3_ENV },
        });
        if (r.status !== 0) throw new Error(`exposure failed (exit ${r.status}): ${r.stderr.trim().slice(0, 400)}`);
        return r;
      };
      const exposureMs: number[] = [];
      const peaks: number[] = [];
      const readPeaks: number[] = [];
      let report = "";
      for (let i = 0; i < opts.runs; i++) {
        progress(`7/7 backend: vendorgate exposure over ${stacks} stacks, run ${i + 1}/${opts.runs}`);
        const r = exposure("mixpanel");
        exposureMs.push(round(r.ms, 0));
        peaks.push(round((r.maxRssKiB ?? 0) / 1024, 0));
        report = r.stdout;
        readPeaks.push(round((exposure("sentry").maxRssKiB ?? 0) / 1024, 0));
      }
      const parsed = JSON.parse(report) as { sources: { stacks: number; checkpoints: number } };
      if (stacks === opts.stacks) {
        progress(`7/7 backend: peer, downloading the same ${gen.objects} objects with the AWS SDK, without parsing`);
        const t = performance.now();
        const limit = pLimit(concurrency);
        const gets: Promise<unknown>[] = [];
        for await (const page of paginateListObjectsV2({ client: server.client, pageSize: 1000 }, { Bucket: bucket, Prefix: "org/.pulumi/" })) {
          for (const o of page.Contents ?? []) gets.push(limit(async () => (await server.client.send(new GetObjectCommand({ Bucket: bucket, Key: o.Key! }))).Body!.transformToByteArray()));
        }
        await Promise.all(gets);
        rawDownloadMs = round(performance.now() - t, 0);
      }
      runs.push({
        stacks,
        checkpoints: gen.checkpoints,
        objects: gen.objects,
        megabytes: round(gen.bytes / 1e6, 1),
        generateSeconds,
        exposureMs,
        medianMs: median(exposureMs),
        peakRssMiB: median(peaks),
        reportBytes: Buffer.byteLength(report),
        readPeakRssMiB: median(readPeaks),
        readPeaksMiB: readPeaks,
        stacksInReport: parsed.sources.stacks,
        checkpointsInReport: parsed.sources.checkpoints,
      });
    }
    const [short, big, bigger] = runs as [BackendRun, BackendRun, BackendRun];
    return {
      runs,
      rawDownloadMs,
      ratioVsRawDownload: round(big.medianMs / rawDownloadMs, 2),
      readPeakRatio: round(bigger.readPeakRssMiB / big.readPeakRssMiB, 2),
      readPeakRatioShort: round(big.readPeakRssMiB / short.readPeakRssMiB, 2),
      peakRatio: round(big.peakRssMiB / short.peakRssMiB, 2),
      concurrency,
    };
  } finally {
    await server.stop();
  }
}
