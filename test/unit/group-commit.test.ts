import { describe, expect, it } from "vitest";
import { GroupCommit, type Previous } from "@/server/ledger/group-commit";

/** A commit that records its groups (and the options each was committed with) and fails any group holding a "bad" item. */
function recorder() {
  const groups: string[][] = [];
  const tags: (string | undefined)[] = [];
  const commit = async (items: string[], options: { tag?: string }) => {
    groups.push(items);
    tags.push(options.tag);
    await new Promise((resolve) => setTimeout(resolve, 5));
    if (items.includes("bad")) throw new Error("broken invariant");
    return items.map((item) => `ok:${item}`);
  };
  return { groups, tags, commit };
}

describe("GroupCommit", () => {
  it("commits the first submission alone and the ones that arrive meanwhile together, in order", async () => {
    const { groups, commit } = recorder();
    const queue = new GroupCommit(commit);
    const results = await Promise.all(["a", "b", "c", "d"].map((item) => queue.submit(item, {})));
    expect(results).toEqual(["ok:a", "ok:b", "ok:c", "ok:d"]);
    expect(groups).toEqual([["a"], ["b", "c", "d"]]);
  });

  it("retries a failed group one by one, so only the culprit gets the error", async () => {
    const { groups, commit } = recorder();
    const queue = new GroupCommit(commit);
    const results = await Promise.allSettled(["a", "b", "bad", "c"].map((item) => queue.submit(item, {})));
    expect(results.map((r) => (r.status === "fulfilled" ? r.value : (r.reason as Error).message))).toEqual(["ok:a", "ok:b", "broken invariant", "ok:c"]);
    expect(groups).toEqual([["a"], ["b", "bad", "c"], ["b"], ["bad"], ["c"]]);
  });

  it("fails the whole group at once when the failure is nobody's (a lock timeout), instead of waiting for it once per submission", async () => {
    const groups: string[][] = [];
    const lockTimeout = Object.assign(new Error("canceling statement due to lock timeout"), { code: "55P03" });
    const commit = async (items: string[]) => {
      groups.push(items);
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (items.includes("b")) throw lockTimeout;
      return items.map((item) => `ok:${item}`);
    };
    const queue = new GroupCommit(commit, 500, (error) => (error as { code?: string }).code === "55P03");
    const results = await Promise.allSettled(["a", "b", "c", "d"].map((item) => queue.submit(item, {})));
    expect(results.map((r) => (r.status === "fulfilled" ? r.value : (r.reason as { code: string }).code))).toEqual(["ok:a", "55P03", "55P03", "55P03"]);
    expect(groups).toEqual([["a"], ["b", "c", "d"]]);
  });

  it("never mixes submissions with different options, commits each group with its own, and caps a group", async () => {
    const { groups, tags, commit } = recorder();
    const queue = new GroupCommit(commit, 2);
    await Promise.all([
      queue.submit("a", {}),
      queue.submit("b", { tag: "x" }),
      queue.submit("c", { tag: "x" }),
      queue.submit("d", { tag: "x" }),
      queue.submit("e", {}),
    ]);
    expect(groups).toEqual([["a"], ["b", "c"], ["d"], ["e"]]);
    expect(tags).toEqual([undefined, "x", "x", undefined]);
  });

  it("starts the next group once the one in flight hands on its tail, keeps at most two in flight, and tells the next whether the tail committed", async () => {
    const log: string[] = [];
    let inFlight = 0;
    let most = 0;
    const commit = async (items: string[], _options: object, previous: Previous<string> | null, handOn: (tail: string) => void) => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      log.push(`start ${items.join("")} after ${previous?.tail ?? "-"}`);
      const committedBefore = previous === null ? null : await previous.committed;
      handOn(items.join(""));
      await new Promise((resolve) => setTimeout(resolve, 10));
      inFlight -= 1;
      if (items.includes("bad")) throw new Error("broken invariant");
      log.push(`done ${items.join("")} (before committed: ${committedBefore})`);
      return items.map((item) => `ok:${item}`);
    };
    const queue = new GroupCommit<string, object, string, string>(commit);
    const first = queue.submit("a", {});
    const second = queue.submit("bad", {});
    await new Promise((resolve) => setTimeout(resolve, 1));
    const third = queue.submit("c", {});
    const results = await Promise.allSettled([first, second, third]);
    expect(results.map((r) => (r.status === "fulfilled" ? r.value : (r.reason as Error).message))).toEqual(["ok:a", "broken invariant", "ok:c"]);
    expect(log).toEqual(["start a after -", "start bad after a", "done a (before committed: null)", "start c after bad", "done c (before committed: false)"]);
    expect(most).toBe(2);
  });
});
