/**
 * Signed notes, cosignatures and checkpoints in C2SP form (contracts/note.ts,
 * contracts/tlog-checkpoint.ts): external examples from the specs and from Go's sumdb/note,
 * then our own checkpoints verified under a pinned trust policy, one failure at a time.
 */
import { describe, expect, it } from "vitest";
import { sha256 } from "@noble/hashes/sha2.js";
import { utf8ToBytes } from "@/contracts/hex";
import {
  base64Decode,
  base64Encode,
  cosignatureTimestamp,
  cosignNoteText,
  formatNote,
  formatSignatureLine,
  formatVerifierKey,
  NOTE_SIGNATURE_TYPE_COSIGNATURE_V1,
  NOTE_SIGNATURE_TYPE_ED25519,
  noteVerifierKey,
  parseNote,
  parseVerifierKey,
  signNoteText,
  verifyNoteSignature,
} from "@/contracts/note";
import { nobleVerifier, publicKeyFromPrivate } from "@/contracts/signing";
import {
  addSignatureLines,
  checkpointStateRoot,
  formatCheckpointBody,
  parseCheckpointBody,
  signCheckpointNote,
  stateRootExtension,
  verifyCheckpointNote,
  type TrustPolicy,
} from "@/contracts/tlog-checkpoint";

const GO_TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";

describe("base64", () => {
  it("round-trips and refuses every other spelling", () => {
    for (const length of [0, 1, 2, 3, 4, 31, 32, 33]) {
      const bytes = Uint8Array.from({ length }, (_, i) => (i * 37 + 11) & 0xff);
      expect(base64Decode(base64Encode(bytes))).toEqual(bytes);
    }
    expect(base64Decode("QQ==")).toEqual(utf8ToBytes("A"));
    expect(base64Decode("QR==")).toBeNull(); // non-zero bits under the padding
    expect(base64Decode("QQ")).toBeNull(); // unpadded
    expect(base64Decode("Q-Q=")).toBeNull(); // URL alphabet
    expect(base64Decode("Q=Q=")).toBeNull();
  });
});

describe("signed notes: external examples", () => {
  it("reproduces golang.org/x/mod/sumdb/note's example signature byte for byte", () => {
    // PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz
    const seed = base64Decode("AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz")!.subarray(1);
    const note = formatNote({ text: GO_TEXT, signatures: [signNoteText(GO_TEXT, "PeterNeumann", seed)] });
    expect(note).toBe(`${GO_TEXT}\n— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`);
    const key = parseVerifierKey("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW");
    expect(key.ok && formatVerifierKey(key.key)).toBe("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW");
    expect(key.ok && key.key.publicKey).toEqual(publicKeyFromPrivate(seed));
  });

  it("verifies a real cosignature/v1 by a public witness on a CT log checkpoint", () => {
    const parsed = parseNote(REAL_COSIGNED_CHECKPOINT);
    const key = parseVerifierKey("remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2");
    if (!parsed.ok || !key.ok) throw new Error("fixture does not parse");
    expect(key.key.type).toBe(NOTE_SIGNATURE_TYPE_COSIGNATURE_V1);
    const cosignature = parsed.note.signatures.find((signature) => signature.name === "remora.n621.de")!;
    expect(verifyNoteSignature(parsed.note.text, cosignature, key.key, nobleVerifier)).toEqual({ ok: true, timestampSeconds: 1779573024 });
    const clobbered = parsed.note.text.replace("1432088532", "42");
    expect(verifyNoteSignature(clobbered, cosignature, key.key, nobleVerifier).ok).toBe(false);
    expect(parseCheckpointBody(parsed.note.text).ok).toBe(true);
  });

  it("reads the timestamp of the tlog-cosignature spec's example as the time its signed message shows", () => {
    const parsed = parseNote(`x\n\n— witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==\n`);
    expect(parsed.ok && cosignatureTimestamp(parsed.note.signatures[0]!)).toBe(1679315147);
  });

  it("parses the tlog-checkpoint spec's example checkpoint", () => {
    const parsed = parseNote(SPEC_CHECKPOINT);
    if (!parsed.ok) throw new Error(parsed.detail);
    const body = parseCheckpointBody(parsed.note.text);
    expect(body.ok && { origin: body.checkpoint.origin, size: body.checkpoint.size, extensions: body.checkpoint.extensions }).toEqual({ origin: "example.com/behind-the-sofa", size: 20852163, extensions: [] });
    expect(formatNote(parsed.note)).toBe(SPEC_CHECKPOINT);
  });
});

describe("signed notes: parsing refuses other spellings", () => {
  const good = formatNote({ text: "hello\n", signatures: [signNoteText("hello\n", "example.com/k", new Uint8Array(32).fill(1))] });
  it.each([
    ["no blank line", good.replace("\n\n", "\n")],
    ["no final newline", good.slice(0, -1)],
    ["a control character", good.replace("hello", "hel\tlo")],
    ["a hyphen instead of an em dash", good.replace("—", "-")],
    ["two spaces", good.replace("— ", "—  ")],
    ["a key name with a plus", good.replace("example.com/k", "example.com+k")],
    ["a signature too short for a key ID", good.replace(/ [^ ]+\n$/, " AAAA\n")],
  ])("refuses %s", (_, message) => {
    expect(parseNote(message).ok).toBe(false);
  });

  it("refuses verifier keys with a wrong key ID, an unknown type or a bad name", () => {
    const key = noteVerifierKey("w", NOTE_SIGNATURE_TYPE_ED25519, new Uint8Array(32).fill(7));
    const text = formatVerifierKey(key);
    expect(parseVerifierKey(text).ok).toBe(true);
    expect(parseVerifierKey(text.replace(/\+[0-9a-f]{8}\+/, "+00000000+")).ok).toBe(false);
    expect(parseVerifierKey(`w+${key.keyId.toString(16).padStart(8, "0")}+${base64Encode(Uint8Array.of(9, ...key.publicKey))}`).ok).toBe(false);
    expect(parseVerifierKey(` ${text}`).ok).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------

const logKey = sha256(utf8ToBytes("note test log key"));
const witnessKeys = ["bank", "factor", "auditor"].map((name) => ({ name: `witness.example/${name}`, privateKey: sha256(utf8ToBytes(`note test witness ${name}`)) }));
const ORIGIN = "double-chain.example/ledger";
const checkpoint = { origin: ORIGIN, size: 12, rootHash: sha256(utf8ToBytes("log root")), extensions: [stateRootExtension(sha256(utf8ToBytes("state root")))] };
const policy: TrustPolicy = {
  origin: ORIGIN,
  logKeys: [noteVerifierKey(ORIGIN, NOTE_SIGNATURE_TYPE_ED25519, publicKeyFromPrivate(logKey))],
  witnesses: witnessKeys.map((witness) => noteVerifierKey(witness.name, NOTE_SIGNATURE_TYPE_COSIGNATURE_V1, publicKeyFromPrivate(witness.privateKey))),
  quorum: 2,
};
const signed = signCheckpointNote(checkpoint, logKey);
const text = formatCheckpointBody(checkpoint);
const cosign = (index: number, at = 1_767_225_600) => formatSignatureLine(cosignNoteText(text, witnessKeys[index]!.name, witnessKeys[index]!.privateKey, at));
const codeOf = (message: string, withPolicy = policy) => {
  const result = verifyCheckpointNote(message, withPolicy, nobleVerifier);
  return result.ok ? "ok" : result.code;
};

describe("verifyCheckpointNote under a pinned policy", () => {
  it("accepts a checkpoint signed by the operator and cosigned by a quorum, and reports who cosigned when", () => {
    const result = verifyCheckpointNote(addSignatureLines(signed, cosign(0) + cosign(2, 1_767_225_601)), policy, nobleVerifier);
    expect(result.ok && result.verified.cosigners).toEqual([
      { name: "witness.example/bank", timestampSeconds: 1_767_225_600 },
      { name: "witness.example/auditor", timestampSeconds: 1_767_225_601 },
    ]);
    expect(result.ok && checkpointStateRoot(result.verified.checkpoint)).toEqual(sha256(utf8ToBytes("state root")));
    expect(formatCheckpointBody(checkpoint)).toBe(`${ORIGIN}\n12\n${base64Encode(checkpoint.rootHash)}\n${checkpoint.extensions[0]}\n`);
  });

  it("names each failure, in the order it checks", () => {
    const quorate = addSignatureLines(signed, cosign(0) + cosign(1));
    expect(codeOf(quorate, { ...policy, quorum: 4 })).toBe("policy_invalid");
    expect(codeOf(quorate, { ...policy, witnesses: [policy.witnesses[0]!, policy.witnesses[0]!] })).toBe("policy_invalid");
    expect(codeOf(quorate.replace("\n\n", "\n"))).toBe("note_malformed");
    expect(codeOf(signCheckpointNote({ ...checkpoint, origin: "other.example/log" }, logKey, ORIGIN))).toBe("origin_mismatch");
    expect(codeOf(signCheckpointNote({ ...checkpoint, extensions: [] }, logKey))).toBe("state_root_missing");
    expect(codeOf(quorate.replace("\n12\n", "\n13\n"))).toBe("log_signature_invalid");
    const foreign = signCheckpointNote(checkpoint, sha256(utf8ToBytes("a fresh operator key")));
    expect(codeOf(addSignatureLines(foreign, cosign(0) + cosign(1)))).toBe("log_signature_missing");
    // A changed key ID makes the line a stranger's, which is ignored rather than counted.
    const strangerId = cosign(1).replace(/ ([A-Za-z0-9+/])/, (_, first: string) => ` ${first === "A" ? "B" : "A"}`);
    expect(codeOf(addSignatureLines(signed, cosign(0) + strangerId))).toBe("quorum_not_met");
    const otherText = formatCheckpointBody({ ...checkpoint, size: 13 });
    const cosignedOther = formatSignatureLine(cosignNoteText(otherText, witnessKeys[1]!.name, witnessKeys[1]!.privateKey, 1));
    expect(codeOf(addSignatureLines(signed, cosign(0) + cosignedOther))).toBe("cosignature_invalid");
    expect(codeOf(addSignatureLines(signed, cosign(0)))).toBe("quorum_not_met");
    expect(codeOf(addSignatureLines(signed, cosign(0) + cosign(0, 5)))).toBe("quorum_not_met");
  });

  it("ignores cosignatures by keys the policy does not pin", () => {
    const stranger = formatSignatureLine(cosignNoteText(text, "witness.example/stranger", sha256(utf8ToBytes("stranger")), 1));
    expect(codeOf(addSignatureLines(signed, cosign(0) + stranger))).toBe("quorum_not_met");
    expect(codeOf(addSignatureLines(signed, cosign(0) + stranger + cosign(2)))).toBe("ok");
  });
});

const SPEC_CHECKPOINT = `example.com/behind-the-sofa
20852163
CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=

— example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=
`;

/** A checkpoint of a Certificate Transparency staging log with public witnesses' cosignatures. */
const REAL_COSIGNED_CHECKPOINT = `arche2025h1.staging.ct.transparency.dev
1432088532
U7WM79jrzyhGZ5/GUBTpM7NzwdyfFx61t3RovgcC4Ro=

— arche2025h1.staging.ct.transparency.dev zTM8sQAAAZ5W0WdjBAMARjBEAiBjW5IQf9pvsYLfQFX6hoGREPMHbdQ3urbllzalApkptQIgIpwtEroeW2BXaHAI4kJXFbon5Ch9MNL5zRNZ55lvGt0=
— arche2025h1.staging.ct.transparency.dev ui8GwCF1+kWqZrxGdhj4aX3gcw7XUlXQQabg/27lefwhUkzbC3NygNI75MdhL1bfTW9g8Ei59RA23oHP7Ry1k3ZFWwQ=
— transparency.dev/DEV:witness-little-garden 2AQqhwAAAABqEiEgzgFIqqhbUoDwjMWE6UP8nd8/KYTzwZ2rhIgcqoXHAwVkjZr4AscylP3v7sEodkRAErumC2q44vdgJY096st5BQ==
— witness1.smartit.nu/witness1 pIyCDwAAAABqEiEghIp82KWebrw7/oHQwlTAm3g2RKS4+eebl8eO0WH+/iEcxZ75W3u5hNI7TOQtmJbqmNWVuE0tgh0XwzdZsDsUAQ==
— remora.n621.de 2net5wAAAABqEiEgPlfF3V06o0Y+fHM+J5J9s27wgxxcOVSpZ/2g/KSiXCg9DEZI+aVCIobWX9sXTynk5XeU/zZ0WBxtqB0DrAWfBw==
— witness.stagemole.eu Z/euoAAAAABqEiEgw0i+7g2ENfDAWHmtRzCfKTHSDwYDJA2NmKeGi9Y8FtEyOUvVr+AJmIY/2TUFucgKi7lI7cUiOvKFYe/TmN9DAg==
`;
