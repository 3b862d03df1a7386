// What /readyz and /metrics say about anchoring (service/anchorer/anchoring-status.ts) and
// when the anchorer logs (service/anchorer/anchoring-health.ts): pure, with time passed in.
import { expect, it } from "vitest";
import { anchorFailure } from "../../service/anchorer/anchor-failure.ts";
import { AnchoringHealth } from "../../service/anchorer/anchoring-health.ts";
import { anchoringStatus } from "../../service/anchorer/anchoring-status.ts";

const T0 = new Date("2026-12-01T10:00:00Z");
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const STALL_MS = 60_000;
const noRole = anchorFailure("missing_role", "account 0xabc does not hold ANCHORER_ROLE", "grant it");
const oldest = (sealedAtSeconds: number, lastError: string | null = null) => ({
  seq: 7,
  sealedAt: at(sealedAtSeconds),
  lastError,
  attempts: lastError === null ? 0 : 3,
});

it("is ok with nothing to anchor, and with a batch that waits less than ANCHOR_STALL_MS", () => {
  const idle = anchoringStatus({
    facts: { oldest: null, previousAnchoredAt: at(0) },
    leader: true,
    failure: undefined,
    now: at(3600),
    stallMs: STALL_MS,
  });
  expect(idle).toMatchObject({
    state: "ok",
    reason: null,
    oldestUnanchoredBatch: null,
    noProgressSeconds: 0,
  });
  const waiting = anchoringStatus({
    facts: { oldest: oldest(100), previousAnchoredAt: at(10) },
    leader: true,
    failure: undefined,
    now: at(130),
    stallMs: STALL_MS,
  });
  expect(waiting).toMatchObject({
    state: "ok",
    oldestUnanchoredBatch: { seq: 7, ageSeconds: 30 },
    noProgressSeconds: 30,
    stallAfterSeconds: 60,
  });
});

it("measures a stall from the later of the oldest batch's seal and its predecessor's anchoring", () => {
  const facts = { oldest: oldest(0), previousAnchoredAt: at(50) };
  const status = (seconds: number) =>
    anchoringStatus({ facts, leader: false, failure: undefined, now: at(seconds), stallMs: STALL_MS });
  expect(status(110)).toMatchObject({
    state: "ok",
    noProgressSeconds: 60,
    oldestUnanchoredBatch: { ageSeconds: 110 },
  });
  expect(status(111)).toMatchObject({ state: "stalled", noProgressSeconds: 61 });
  // Another process knows only what the database says.
  expect(status(111).reason).toMatchObject({
    cause: "unknown",
    message: expect.stringContaining("is a leader running"),
  });
});

it("names the leader's failure: failing at once, stalled after ANCHOR_STALL_MS", () => {
  const health = new AnchoringHealth();
  health.failed(noRole, at(5));
  health.failed(noRole, at(6));
  const facts = {
    oldest: oldest(0, "missing_role: account 0xabc does not hold ANCHORER_ROLE"),
    previousAnchoredAt: null,
  };
  const status = (seconds: number, leader = true) =>
    anchoringStatus({ facts, leader, failure: health.failure, now: at(seconds), stallMs: STALL_MS });
  expect(status(10)).toMatchObject({
    state: "failing",
    reason: {
      cause: "missing_role",
      needsOperator: true,
      fix: "grant it",
      since: at(5).toISOString(),
      attempts: 2,
    },
  });
  expect(status(61)).toMatchObject({ state: "stalled", reason: { cause: "missing_role" } });
  // Not the leader (any more): its memory of a failure is not the truth.
  expect(status(10, false)).toMatchObject({ state: "ok", reason: null });
  expect(status(61, false).reason?.message).toContain("missing_role: account 0xabc");
});

it("without the database, says what the leader knows and claims no progress figures", () => {
  const health = new AnchoringHealth();
  health.failed(noRole, at(0));
  const status = anchoringStatus({
    facts: undefined,
    leader: true,
    failure: health.failure,
    now: at(1),
    stallMs: STALL_MS,
  });
  expect(status).toMatchObject({ state: "failing", oldestUnanchoredBatch: null, noProgressSeconds: null });
});

it("tells the anchorer to log once per cause, and once when anchoring resumes", () => {
  const health = new AnchoringHealth();
  expect(health.idle()).toEqual({ kind: "unchanged" });
  expect(health.failed(noRole, at(0)).kind).toBe("began");
  for (let i = 1; i < 5; i++) expect(health.failed(noRole, at(i)).kind).toBe("continues");
  const outage = anchorFailure("chain_unavailable", "connection refused", "retrying");
  expect(health.failed(outage, at(6))).toMatchObject({
    kind: "began",
    failure: { cause: "chain_unavailable", attempts: 1 },
  });
  expect(health.anchored(at(9))).toMatchObject({
    kind: "resolved",
    failure: { cause: "chain_unavailable", since: at(6) },
  });
  expect(health.failure).toBeUndefined();
  expect(health.lastAnchoredAt).toEqual(at(9));
  expect(health.anchored(at(10))).toEqual({ kind: "unchanged" });
});
