/*
 * Section 7 of `npm run bench`: incident response over an organisation's backend. A generated
 * diy backend of N stacks × 10 checkpoints (every other object gzipped) on a real S3-compatible
 * server (gofakes3, 127.0.0.1), read by `vendorgate exposure` as a user runs it, for its wall time and
 * peak RSS (GNU time). Memory is flat when the peak at N stacks is close to the peak at N/10.
 * The peer in the same run is the floor any reader pays: listing and downloading the same objects
 * with the same client and concurrency, parsing nothing.
 *
 * One more run at each size holds V8's young generation at 16 MiB semi-spaces
 * (--max-semi-space-size=16). It is a diagnosis, not how the CLI runs: the AWS SDK allocates about
 * 180 KB of short-lived objects per GetObject, V8 doubles the young generation each time the
 * bytes that survived its scavenges since the last doubling exceed its size, so a longer read ends
 * with a larger young generation (up to V8's maximum) though nothing more is kept. The peak with it
 * held is what the read itself keeps.
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
  peakRssMiB: number;
  /** Peak RSS of one more run under --max-semi-space-size=16 (see above). */
  peakRssSemiSpace16MiB: number;
  stacksInReport: number;
  checkpointsInReport: number;
}

export interface BackendBench {
  runs: BackendRun[];
  rawDownloadMs: number;
  ratioVsRawDownload: number;
  peakRatio: number;
  peakRatioSemiSpace16: number;
  concurrency: number;
}

export async function backendBench(opts: { stacks: number; checkpoints: number; runs: number }): Promise<BackendBench> {
  const server = await startS3Server();
  const bin = join(repoRoot, "bin/vendorgate.js");
  const concurrency = 32;
  try {
    const runs: BackendRun[] = [];
    let rawDownloadMs = 0;
    for (const stacks of [Math.max(1, Math.round(opts.stacks / 10)), opts.stacks]) {
      const bucket = `fleet-${stacks}`;
      await server.createBucket(bucket);
      progress(`7/7 backend: generating ${stacks} stacks × ${opts.checkpoints} checkpoints on the local S3 server`);
      const t0 = performance.now();
      const gen: GeneratedBackend = await generateBackend({ stacks, checkpoints: opts.checkpoints, put: (key, body) => server.put(bucket, `org/${key}`, body), concurrency });
      const generateSeconds = round((performance.now() - t0) / 1000, 1);
      const url = server.url(bucket, "org");
      const exposureMs: number[] = [];
      let peak = 0;
      let report: { sources: { stacks: number; checkpoints: number } } | undefined;
      const exposure = (nodeFlags: string[]) => {
        const r = timeCommand(process.execPath, [...nodeFlags, bin, "exposure", "--vendor", "mixpanel", "--backend", url, "--format", "json", "--registry", "examples/shop/policy/vendors.yaml"], {
          env: { ...process.env, ...S3_ENV },
        });
        if (r.status !== 0) throw new Error(`exposure failed (exit ${r.status}): ${r.stderr.trim().slice(0, 400)}`);
        return r;
      };
      for (let i = 0; i < opts.runs; i++) {
        progress(`7/7 backend: vendorgate exposure over ${stacks} stacks, run ${i + 1}/${opts.runs}`);
        const r = exposure([]);
        exposureMs.push(round(r.ms, 0));
        peak = Math.max(peak, r.maxRssKiB ?? 0);
        report = JSON.parse(r.stdout) as typeof report;
      }
      progress(`7/7 backend: vendorgate exposure over ${stacks} stacks, young generation held at 16 MiB semi-spaces`);
      const held = exposure(["--max-semi-space-size=16"]);
      if (stacks === opts.stacks) {
        progress(`7/7 backend: peer, downloading the same ${gen.objects} objects without parsing`);
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
        peakRssMiB: round(peak / 1024, 0),
        peakRssSemiSpace16MiB: round((held.maxRssKiB ?? 0) / 1024, 0),
        stacksInReport: report!.sources.stacks,
        checkpointsInReport: report!.sources.checkpoints,
      });
    }
    const big = runs.at(-1)!;
    return {
      runs,
      rawDownloadMs,
      ratioVsRawDownload: round(big.medianMs / rawDownloadMs, 2),
      peakRatio: round(big.peakRssMiB / runs[0]!.peakRssMiB, 2),
      peakRatioSemiSpace16: round(big.peakRssSemiSpace16MiB / runs[0]!.peakRssSemiSpace16MiB, 2),
      concurrency,
    };
  } finally {
    await server.stop();
  }
}
