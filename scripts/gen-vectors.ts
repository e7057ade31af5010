/**
 * Writes the golden vectors in test/vectors/: `npx tsx scripts/gen-vectors.ts`.
 *
 * Output is deterministic (fixed keys, fixed times, Ed25519 signatures are deterministic),
 * so rerunning it must leave `git diff` empty; a diff means the encoding or hashing changed
 * and every stored signature and checkpoint would stop verifying.
 *
 * Three kinds of data go in:
 * - external references, copied by hand from their sources and never computed here
 *   (RFC 8032 Ed25519 tests, RFC 8785 Appendix B, cyberphone/json-canonicalization test
 *   data, the RFC 6962/9162 tree from transparency-dev/merkle);
 * - our own cases, whose expected canonical strings are written out by hand;
 * - signed objects and proofs computed with contracts/, plus deliberate corruptions. The
 *   expected failure code of each corruption is decided here from how it was built, never
 *   by running the verifier, so the tests can catch a verifier that fails the wrong way.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { canonicalJson, sha256Hex } from "../contracts/canonical";
import { checkpointDigest, checkpointHash, signCheckpoint, type Checkpoint, type SignedCheckpoint } from "../contracts/checkpoint";
import { bytesToHex, EMPTY_SHA256_HEX, hexToBytes, utf8ToBytes } from "../contracts/hex";
import { DEMO_NETWORK_ID } from "../contracts/ledger/schema";
import { logEntryLeafHash, type LogEntry } from "../contracts/log";
import {
  consistencyPathRanges,
  consistencyProof,
  hashesToHex,
  inclusionPathRanges,
  inclusionProof,
  leafHash,
  MerkleFrontier,
  rootFromLeafHashes,
} from "../contracts/merkle";
import { keyIdFor, publicKeyFromPrivate, signDigest } from "../contracts/signing";
import { cosignTransaction, signTransaction, transactionId, type SignedTransaction, type TransactionEnvelope } from "../contracts/transaction";

const OUTPUT_DIR = path.resolve(import.meta.dirname, "..", "test", "vectors");
const GENERATED_BY = "scripts/gen-vectors.ts";
/** 2026-01-01T00:00:00Z: every timestamp in the vectors counts from here. */
const BASE_TIME_MS = 1_767_225_600_000;

interface VectorKey {
  name: string;
  orgId: string;
  privateKeyHex: string;
  publicKeyHex: string;
  keyId: string;
}

function fixedKey(name: string, orgId: string, fillByte: number): VectorKey {
  const privateKey = new Uint8Array(32).fill(fillByte);
  const publicKey = publicKeyFromPrivate(privateKey);
  return { name, orgId, privateKeyHex: bytesToHex(privateKey), publicKeyHex: bytesToHex(publicKey), keyId: keyIdFor(publicKey) };
}

const KEYS = {
  supplier: fixedKey("supplier", "org_supplier", 0x01),
  buyer: fixedKey("buyer", "org_buyer", 0x02),
  operator: fixedKey("operator", "org_operator", 0x03),
};

function privateKeyOf(key: VectorKey): Uint8Array {
  return hexToBytes(key.privateKeyHex);
}

function writeVectors(fileName: string, content: object): void {
  mkdirSync(OUTPUT_DIR, { recursive: true });
  const body = { description: "", generatedBy: GENERATED_BY, ...content };
  writeFileSync(path.join(OUTPUT_DIR, fileName), `${JSON.stringify(body, null, 2)}\n`);
  console.log(`wrote test/vectors/${fileName}`);
}

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function flipHexByte(hex: string, byteIndex: number, mask = 0x01): string {
  const bytes = hexToBytes(hex);
  bytes[byteIndex] = (bytes[byteIndex] as number) ^ mask;
  return bytesToHex(bytes);
}

// ---------------------------------------------------------------------------------------
// canonical.json
// ---------------------------------------------------------------------------------------

/**
 * Inputs use tags for what JSON cannot hold: {"$bigint": "12"}, {"$number": "NaN"},
 * {"$undefined": true}, {"$function": true}, {"$symbol": "x"}, {"$date": iso},
 * {"$map": true}, {"$bytes": hex}, {"$cycle": true}, {"$nullPrototype": {...}},
 * {"$ieee754": hex}. test/unit/vectors.test.ts decodes them.
 */
function canonicalCases(): object[] {
  const cases: Array<{ name: string; input: unknown; canonical: string }> = [
    { name: "bigint becomes a decimal string", input: { amountMinor: { $bigint: "125000" } }, canonical: '{"amountMinor":"125000"}' },
    {
      name: "bigint beyond 2^64 and negative bigint",
      input: { big: { $bigint: "123456789012345678901234567890" }, negative: { $bigint: "-42" }, zero: { $bigint: "0" } },
      canonical: '{"big":"123456789012345678901234567890","negative":"-42","zero":"0"}',
    },
    { name: "bigint inside an array", input: [{ $bigint: "1" }, { $bigint: "22" }], canonical: '["1","22"]' },
    {
      name: "members sorted by UTF-16 code units, not by code points or locale",
      input: { "\u00e9": 1, z: 2, a: 3, "\ud83d\ude00": 4, "\uffff": 5, A: 6, "": 7 },
      canonical: '{"":7,"A":6,"a":3,"z":2,"\u00e9":1,"\ud83d\ude00":4,"\uffff":5}',
    },
    {
      name: "unicode is kept as UTF-8, not escaped or normalised",
      input: { text: "\u00dcberweisung \u2713 \u8cbf\u6613 \ud83d\ude00 e\u0301" },
      canonical: '{"text":"\u00dcberweisung \u2713 \u8cbf\u6613 \ud83d\ude00 e\u0301"}',
    },
    {
      name: "control characters use short escapes or \\u00xx, DEL and U+2028 stay raw",
      input: { s: "\u0000\u0008\t\n\u000c\r\u001f\"\\/\u007f\u2028" },
      canonical: '{"s":"\\u0000\\b\\t\\n\\f\\r\\u001f\\"\\\\/\u007f\u2028"}',
    },
    {
      name: "number formatting follows ECMAScript",
      input: [1, 1.5, -0.25, 100, 1e21, 1e-7, 123456789012, { $number: "-0" }, 0.1, 1e300],
      canonical: "[1,1.5,-0.25,100,1e+21,1e-7,123456789012,0,0.1,1e+300]",
    },
    { name: "safe integer limits", input: [9007199254740991, -9007199254740991], canonical: "[9007199254740991,-9007199254740991]" },
    {
      name: "nested containers, empty containers and literals",
      input: { b: [[], {}, [null, true, false]], a: { d: { c: "x" } } },
      canonical: '{"a":{"d":{"c":"x"}},"b":[[],{},[null,true,false]]}',
    },
    { name: "undefined member is omitted", input: { kept: 1, omitted: { $undefined: true } }, canonical: '{"kept":1}' },
    { name: "__proto__ is an ordinary member", input: JSON.parse('{"__proto__":{"x":1},"a":0}'), canonical: '{"__proto__":{"x":1},"a":0}' },
    { name: "null-prototype object is a plain object", input: { $nullPrototype: { b: 1, a: 2 } }, canonical: '{"a":2,"b":1}' },
    { name: "the same object twice is not a cycle", input: { $sharedTwice: { v: 1 } }, canonical: '{"first":{"v":1},"second":{"v":1}}' },
    { name: "top-level string", input: "caf\u00e9", canonical: '"caf\u00e9"' },
    { name: "top-level bigint", input: { $bigint: "7" }, canonical: '"7"' },
  ];
  return cases.map((entry) => ({ ...entry, sha256Hex: sha256Hex(utf8ToBytes(entry.canonical)) }));
}

function canonicalRejections(): object[] {
  return [
    { name: "NaN", input: { n: { $number: "NaN" } }, expectedCode: "number_not_finite", expectedPath: "$.n" },
    { name: "Infinity", input: [{ $number: "Infinity" }], expectedCode: "number_not_finite", expectedPath: "$[0]" },
    { name: "-Infinity", input: { $number: "-Infinity" }, expectedCode: "number_not_finite", expectedPath: "$" },
    { name: "undefined at the top", input: { $undefined: true }, expectedCode: "undefined_not_allowed", expectedPath: "$" },
    { name: "undefined inside an array", input: { list: [1, { $undefined: true }] }, expectedCode: "undefined_not_allowed", expectedPath: "$.list[1]" },
    { name: "function member", input: { f: { $function: true } }, expectedCode: "function_not_allowed", expectedPath: "$.f" },
    { name: "symbol member", input: { s: { $symbol: "x" } }, expectedCode: "symbol_not_allowed", expectedPath: "$.s" },
    { name: "Date is not a plain object", input: { at: { $date: "2026-01-01T00:00:00.000Z" } }, expectedCode: "not_plain_object", expectedPath: "$.at" },
    { name: "Map is not a plain object", input: { m: { $map: true } }, expectedCode: "not_plain_object", expectedPath: "$.m" },
    { name: "Uint8Array is not a plain object", input: { b: { $bytes: "0102" } }, expectedCode: "not_plain_object", expectedPath: "$.b" },
    { name: "lone surrogate in a value", input: { s: "a\ud800b" }, expectedCode: "lone_surrogate", expectedPath: "$.s" },
    { name: "lone surrogate in a member name", input: { "\udc00": 1 }, expectedCode: "lone_surrogate", expectedPath: '$["\\udc00"]' },
    { name: "object containing itself", input: { $cycle: true }, expectedCode: "circular_reference", expectedPath: "$.self" },
  ];
}

/** RFC 8785 Appendix B: IEEE 754 bit patterns and their canonical text. */
const RFC8785_NUMBERS: Array<[string, string]> = [
  ["0000000000000000", "0"],
  ["8000000000000000", "0"],
  ["0000000000000001", "5e-324"],
  ["8000000000000001", "-5e-324"],
  ["7fefffffffffffff", "1.7976931348623157e+308"],
  ["ffefffffffffffff", "-1.7976931348623157e+308"],
  ["4340000000000000", "9007199254740992"],
  ["c340000000000000", "-9007199254740992"],
  ["4430000000000000", "295147905179352830000"],
  ["44b52d02c7e14af5", "9.999999999999997e+22"],
  ["44b52d02c7e14af6", "1e+23"],
  ["44b52d02c7e14af7", "1.0000000000000001e+23"],
  ["444b1ae4d6e2ef4e", "999999999999999700000"],
  ["444b1ae4d6e2ef4f", "999999999999999900000"],
  ["444b1ae4d6e2ef50", "1e+21"],
  ["3eb0c6f7a0b5ed8c", "9.999999999999997e-7"],
  ["3eb0c6f7a0b5ed8d", "0.000001"],
  ["41b3de4355555553", "333333333.3333332"],
  ["41b3de4355555554", "333333333.33333325"],
  ["41b3de4355555555", "333333333.3333333"],
  ["41b3de4355555556", "333333333.3333334"],
  ["41b3de4355555557", "333333333.33333343"],
  ["becbf647612f3696", "-0.0000033333333333333333"],
  ["43143ff3c1cb0959", "1424953923781206.2"],
];

/** cyberphone/json-canonicalization testdata/input and testdata/output (the RFC 8785 reference). */
const CYBERPHONE_CASES: Array<{ name: string; inputJson: string; canonical: string }> = [
  {
    name: "weird.json",
    inputJson:
      '{\n  "\\u20ac": "Euro Sign",\n  "1": "One",\n  "\\u0080": "Control\\u007f",\n  "\\ud83d\\ude02": "Smiley",\n  "\\u00f6": "Latin Small Letter O With Diaeresis",\n  "\\ufb33": "Hebrew Letter Dalet With Dagesh",\n  "</script>": "Browser Challenge"\n}\n',
    canonical:
      '{"1":"One","</script>":"Browser Challenge","\u0080":"Control\u007f","\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign","\ud83d\ude02":"Smiley","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
  },
  {
    name: "values.json",
    inputJson:
      '{\n  "numbers": [1E30, 4.50, 333333333.33333329, 2e-3, 0.000000000000000000000000001],\n  "escaping": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/",\n  "literals": [null, true, false]\n}',
    canonical: '{"escaping":"\u20ac$\\u000f\\nA\'B\\"\\\\\\\\\\"/","literals":[null,true,false],"numbers":[1e+30,4.5,333333333.3333333,0.002,1e-27]}',
  },
  {
    name: "structures.json",
    inputJson: '{\n  "1": {"f": {"f": "hi","F": 5} ,"\\n": 56.0},\n  "10": { },\n  "": "empty",\n  "a": { },\n  "111": [ { } ],\n  "A": { }\n}',
    canonical: '{"":"empty","1":{"\\n":56,"f":{"F":5,"f":"hi"}},"10":{},"111":[{}],"A":{},"a":{}}',
  },
  {
    name: "french.json",
    inputJson:
      '{\n  "peach": "This sorting order",\n  "p\u00e9ch\u00e9": "is wrong according to French",\n  "p\u00eache": "but canonicalization MUST",\n  "sin":   "ingnore locale"\n}\n',
    canonical: '{"peach":"This sorting order","p\u00e9ch\u00e9":"is wrong according to French","p\u00eache":"but canonicalization MUST","sin":"ingnore locale"}',
  },
  {
    name: "unicode.json",
    inputJson: '{\n  "Unnormalized Unicode":"\\u1e0d\\u0307"\n}\n',
    canonical: '{"Unnormalized Unicode":"\u1e0d\u0307"}',
  },
];

function derivedIdCases(): object[] {
  const txId = sha256Hex(utf8ToBytes("double-chain vector transaction"));
  const prefixes = ["cl", "c", "pl", "fin", "rp"] as const;
  return prefixes.map((prefix, index) => {
    // Written from the rule in docs/ledger.md, not by calling deriveId.
    const expected = `${prefix}_${sha256Hex(utf8ToBytes(`${txId}:${index}`)).slice(0, 24)}`;
    return { prefix, txId, index, expected };
  });
}

function writeCanonicalVectors(): void {
  writeVectors("canonical.json", {
    description:
      "RFC 8785 canonical JSON after bigint-to-string conversion. cases: input (tagged, see scripts/gen-vectors.ts) -> canonical text and its SHA-256; rejections: input -> CanonicalEncodingError code and path; rfc8785AppendixB and cyberphone are external references; derivedIds follow docs/ledger.md.",
    cases: canonicalCases(),
    rejections: canonicalRejections(),
    rfc8785AppendixB: {
      source: "RFC 8785 Appendix B (IEEE 754 bit pattern -> canonical number text)",
      numbers: RFC8785_NUMBERS.map(([ieee754Hex, canonical]) => ({ ieee754Hex, canonical })),
    },
    cyberphone: { source: "github.com/cyberphone/json-canonicalization testdata", cases: CYBERPHONE_CASES },
    derivedIds: derivedIdCases(),
  });
}

// ---------------------------------------------------------------------------------------
// transactions.json
// ---------------------------------------------------------------------------------------

/** RFC 8032 section 7.1, TESTS 1-3. */
const RFC8032_TESTS = [
  {
    name: "RFC 8032 7.1 TEST 1",
    privateKeyHex: "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
    publicKeyHex: "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
    messageHex: "",
    signatureHex:
      "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
  },
  {
    name: "RFC 8032 7.1 TEST 2",
    privateKeyHex: "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
    publicKeyHex: "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
    messageHex: "72",
    signatureHex:
      "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
  },
  {
    name: "RFC 8032 7.1 TEST 3",
    privateKeyHex: "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
    publicKeyHex: "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
    messageHex: "af82",
    signatureHex:
      "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a",
  },
];

interface VectorBody {
  claimRef: string;
  amountMinor: bigint;
  currency: string;
  memo: string;
}

/** A transaction of a test-only type: the envelope rules do not depend on the body. */
function vectorTransaction(nonce: string, amountMinor: bigint, createdAtMs: number): TransactionEnvelope<"test.vector", VectorBody> {
  return {
    type: "test.vector",
    networkId: DEMO_NETWORK_ID,
    body: { claimRef: "invoice 2026/0001", amountMinor, currency: "EUR", memo: "\u00dcberweisung \u2713 \ud83d\ude00" },
    signer: { orgId: KEYS.supplier.orgId, keyId: KEYS.supplier.keyId },
    nonce,
    createdAtMs,
  };
}

/** Wire form: the JSON a client sends, with bigints as decimal strings. */
function toWire<T>(value: T): unknown {
  return JSON.parse(JSON.stringify(value, (_key, member: unknown) => (typeof member === "bigint" ? member.toString() : member)));
}

function validSignedTransaction(): SignedTransaction {
  const transaction = vectorTransaction("nonce-0001", 125_000n, BASE_TIME_MS);
  const signed = signTransaction(transaction, privateKeyOf(KEYS.supplier));
  return cosignTransaction(signed, KEYS.operator.orgId, KEYS.operator.keyId, privateKeyOf(KEYS.operator));
}

type WireSigned = {
  transaction: { body: Record<string, unknown>; signer: { orgId: string; keyId: string }; nonce: string; createdAtMs: number };
  signatureHex: string;
  cosignatures: Array<{ orgId: string; keyId: string; signatureHex: string }>;
};

function transactionCorruptions(valid: WireSigned): object[] {
  const signerCheck = (name: string, edit: (signed: WireSigned) => void, publicKeyHex: string, expectedCode: string) => {
    const signed = clone(valid);
    edit(signed);
    return { name, check: "signer", signed, publicKeyHex, expectedCode };
  };
  const replayed = signTransaction(vectorTransaction("nonce-0002", 125_000n, BASE_TIME_MS), privateKeyOf(KEYS.supplier));
  const supplier = KEYS.supplier.publicKeyHex;
  return [
    signerCheck("body amount edited", (s) => { s.transaction.body.amountMinor = "125001"; }, supplier, "signature_invalid"),
    signerCheck("signature byte flipped", (s) => { s.signatureHex = flipHexByte(s.signatureHex, 10); }, supplier, "signature_invalid"),
    signerCheck("signature S half byte flipped", (s) => { s.signatureHex = flipHexByte(s.signatureHex, 40, 0x80); }, supplier, "signature_invalid"),
    signerCheck("nonce changed", (s) => { s.transaction.nonce = "nonce-0009"; }, supplier, "signature_invalid"),
    signerCheck("createdAtMs changed", (s) => { s.transaction.createdAtMs += 1; }, supplier, "signature_invalid"),
    signerCheck("signer orgId changed", (s) => { s.transaction.signer.orgId = KEYS.buyer.orgId; }, supplier, "signature_invalid"),
    // The registry would look the key up by the (swapped) keyId, finding the buyer's key.
    signerCheck("signer keyId swapped, checked with the key it names", (s) => { s.transaction.signer.keyId = KEYS.buyer.keyId; }, KEYS.buyer.publicKeyHex, "signature_invalid"),
    signerCheck("signer keyId swapped, checked with the signer's real key", (s) => { s.transaction.signer.keyId = KEYS.buyer.keyId; }, supplier, "key_id_mismatch"),
    signerCheck("signature from another transaction", (s) => { s.signatureHex = replayed.signatureHex; }, supplier, "signature_invalid"),
    signerCheck("signature uppercase hex", (s) => { s.signatureHex = s.signatureHex.toUpperCase(); }, supplier, "signature_malformed"),
    signerCheck("signature truncated", (s) => { s.signatureHex = s.signatureHex.slice(0, 126); }, supplier, "signature_malformed"),
    signerCheck("all-zero signature", (s) => { s.signatureHex = "0".repeat(128); }, supplier, "signature_invalid"),
    {
      name: "cosignature byte flipped",
      check: "cosignature",
      cosignatureIndex: 0,
      signed: { ...clone(valid), cosignatures: valid.cosignatures.map((c) => ({ ...c, signatureHex: flipHexByte(c.signatureHex, 0) })) },
      publicKeyHex: KEYS.operator.publicKeyHex,
      expectedCode: "signature_invalid",
    },
    {
      name: "cosignature checked with the signer's key",
      check: "cosignature",
      cosignatureIndex: 0,
      signed: clone(valid),
      publicKeyHex: supplier,
      expectedCode: "key_id_mismatch",
    },
  ];
}

function writeTransactionVectors(): void {
  const signed = validSignedTransaction();
  const wire = toWire(signed) as WireSigned;
  writeVectors("transactions.json", {
    description:
      "Signed transaction envelope (docs/ledger.md). valid: wire form (amounts as strings), its canonical JSON, id and signatures; corruptions: each edited copy, the public key it is checked with, which signature is checked, and the SignatureCheckCode it must fail with. rfc8032 is the external Ed25519 reference.",
    keys: Object.values(KEYS),
    rfc8032: RFC8032_TESTS,
    valid: {
      signed: wire,
      canonicalJson: canonicalJson(signed.transaction),
      transactionId: transactionId(signed.transaction),
      signerPublicKeyHex: KEYS.supplier.publicKeyHex,
      cosignerPublicKeysHex: [KEYS.operator.publicKeyHex],
    },
    corruptions: transactionCorruptions(wire),
  });
}

// ---------------------------------------------------------------------------------------
// merkle.json
// ---------------------------------------------------------------------------------------

/** From transparency-dev/merkle proof/verify_test.go and rfc6962/rfc6962_test.go. */
const CT_REFERENCE = {
  source: "github.com/transparency-dev/merkle proof/verify_test.go, rfc6962/rfc6962_test.go (RFC 6962 = RFC 9162 tree)",
  emptyRootHex: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  leafHashes: [
    { leafHex: "", leafHashHex: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d" },
    { leafHex: bytesToHex(utf8ToBytes("L123456")), leafHashHex: "395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56" },
  ],
  nodeHashes: [
    {
      leftHex: bytesToHex(utf8ToBytes("N123")),
      rightHex: bytesToHex(utf8ToBytes("N456")),
      nodeHashHex: "aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb",
    },
  ],
  leavesHex: ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"],
  /** rootsHex[n - 1] is the root of the first n leaves. */
  rootsHex: [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
  ],
  /** Indexes are 0-based here; the Go source numbers leaves from 1. */
  inclusion: [
    { index: 0, treeSize: 1, proofHex: [] },
    {
      index: 0,
      treeSize: 8,
      proofHex: [
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
      ],
    },
    {
      index: 5,
      treeSize: 8,
      proofHex: [
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
      ],
    },
    { index: 2, treeSize: 3, proofHex: ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"] },
    {
      index: 1,
      treeSize: 5,
      proofHex: [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
      ],
    },
  ],
  consistency: [
    { oldSize: 1, newSize: 1, proofHex: [] },
    {
      oldSize: 1,
      newSize: 8,
      proofHex: [
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
      ],
    },
    {
      oldSize: 6,
      newSize: 8,
      proofHex: [
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
      ],
    },
    {
      oldSize: 2,
      newSize: 5,
      proofHex: [
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
      ],
    },
    {
      oldSize: 6,
      newSize: 7,
      proofHex: [
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
      ],
    },
  ],
};

const OUR_TREE_SIZE = 9;
/** Some hash that is no root of anything here (the same one transparency-dev uses). */
const SOME_HASH_HEX = "abacaba000000000000000000000000000000000000000000060061e00123456";
const WRONG_LENGTH_HEX = bytesToHex(utf8ToBytes("WrongLeaf"));

function ourLeafHashes(): Uint8Array[] {
  return Array.from({ length: OUR_TREE_SIZE }, (_, i) => leafHash(utf8ToBytes(`double-chain leaf ${i}`)));
}

function ourTrees(leaves: Uint8Array[]): object[] {
  return Array.from({ length: OUR_TREE_SIZE }, (_, i) => {
    const size = i + 1;
    const tree = leaves.slice(0, size);
    return {
      size,
      rootHex: bytesToHex(rootFromLeafHashes(tree)),
      inclusion: tree.map((_, index) => ({ index, proofHex: hashesToHex(inclusionProof(tree, index)) })),
      consistency: Array.from({ length: size + 1 }, (_, oldSize) => ({
        oldSize,
        oldRootHex: bytesToHex(rootFromLeafHashes(tree.slice(0, oldSize))),
        proofHex: hashesToHex(consistencyProof(tree, oldSize)),
      })),
    };
  });
}

/** Expected code when the proof is checked at another (index, size): decided by path length. */
function inclusionProbeCode(index: number, treeSize: number, proofLength: number): string {
  if (index < 0 || !Number.isInteger(index)) return "size_invalid";
  if (index >= treeSize) return "index_out_of_range";
  return inclusionPathRanges(treeSize, index).length === proofLength ? "root_mismatch" : "proof_length_wrong";
}

function inclusionCorruptions(leaves: Uint8Array[]): object[] {
  const probes: object[] = [];
  for (const [index, treeSize] of [[0, 1], [2, 7], [5, 8], [8, 9], [3, 4]] as Array<[number, number]>) {
    const tree = leaves.slice(0, treeSize);
    const base = {
      leafHashHex: bytesToHex(tree[index] as Uint8Array),
      index,
      treeSize,
      proofHex: hashesToHex(inclusionProof(tree, index)),
      rootHex: bytesToHex(rootFromLeafHashes(tree)),
    };
    const add = (name: string, edit: Partial<typeof base>, expectedCode: string) =>
      probes.push({ name: `${name} (index ${index}, size ${treeSize})`, ...base, ...edit, expectedCode });
    const length = base.proofHex.length;
    for (const wrongIndex of [index - 1, index + 1, index + 2, treeSize, 1.5]) {
      add(`index ${wrongIndex}`, { index: wrongIndex }, inclusionProbeCode(wrongIndex, treeSize, length));
    }
    for (const wrongSize of [treeSize * 2, Math.floor(treeSize / 2), treeSize + 1]) {
      const code = inclusionProbeCode(index, wrongSize, length);
      // A different size whose path has the same shape can legitimately verify: the size is
      // bound by the signed checkpoint, not by the proof. Only unambiguous probes are kept.
      if (code !== "root_mismatch") add(`tree size ${wrongSize}`, { treeSize: wrongSize }, code);
    }
    add("wrong leaf length", { leafHashHex: WRONG_LENGTH_HEX }, "hash_length_wrong");
    add("leaf bit flipped", { leafHashHex: flipHexByte(base.leafHashHex, 0, 8) }, "root_mismatch");
    add("root bit flipped", { rootHex: flipHexByte(base.rootHex, 31, 8) }, "root_mismatch");
    add("empty-tree root", { rootHex: EMPTY_SHA256_HEX }, "root_mismatch");
    add("unrelated root", { rootHex: SOME_HASH_HEX }, "root_mismatch");
    add("trailing garbage", { proofHex: [...base.proofHex, ""] }, "proof_length_wrong");
    add("trailing root", { proofHex: [...base.proofHex, base.rootHex] }, "proof_length_wrong");
    add("preceding root", { proofHex: [base.rootHex, ...base.proofHex] }, "proof_length_wrong");
    base.proofHex.forEach((hashHex, i) => {
      add(`proof[${i}] bit flipped`, { proofHex: base.proofHex.map((h, j) => (j === i ? flipHexByte(hashHex, 0, 8) : h)) }, "root_mismatch");
    });
    if (length > 0) {
      add("removed component", { proofHex: base.proofHex.slice(0, -1) }, "proof_length_wrong");
      add("short proof[0]", { proofHex: [WRONG_LENGTH_HEX, ...base.proofHex.slice(1)] }, "hash_length_wrong");
    }
    if (length > 1) add("inserted component", { proofHex: [base.proofHex[0] as string, SOME_HASH_HEX, ...base.proofHex.slice(1)] }, "proof_length_wrong");
  }
  return probes;
}

/**
 * Expected code for a flipped consistency proof element: elements inside the old tree are
 * used to rebuild the old root (checked first); the others only rebuild the new root.
 */
function flippedConsistencyCode(oldSize: number, newSize: number, element: number): string {
  const range = consistencyPathRanges(oldSize, newSize)[element];
  return range !== undefined && range.end <= oldSize ? "old_root_mismatch" : "new_root_mismatch";
}

/** When oldSize is a power of two the old root is the verifier's starting point, not a check. */
function wrongOldRootCode(oldSize: number): string {
  return Number.isInteger(Math.log2(oldSize)) ? "new_root_mismatch" : "old_root_mismatch";
}

function consistencyCorruptions(leaves: Uint8Array[]): object[] {
  const probes: object[] = [];
  const pairs: Array<[number, number]> = [[1, 8], [6, 8], [2, 5], [6, 7], [3, 9], [4, 8], [7, 9]];
  for (const [oldSize, newSize] of pairs) {
    const tree = leaves.slice(0, newSize);
    const base = {
      oldSize,
      newSize,
      oldRootHex: bytesToHex(rootFromLeafHashes(tree.slice(0, oldSize))),
      newRootHex: bytesToHex(rootFromLeafHashes(tree)),
      proofHex: hashesToHex(consistencyProof(tree, oldSize)),
    };
    const add = (name: string, edit: Partial<typeof base>, expectedCode: string) =>
      probes.push({ name: `${name} (${oldSize} -> ${newSize})`, ...base, ...edit, expectedCode });
    const wrongSizes: Array<[number, number]> = [[oldSize - 1, newSize], [oldSize + 1, newSize], [oldSize, newSize * 2], [oldSize, newSize - 1]];
    for (const [wrongOld, wrongNew] of wrongSizes) {
      if (wrongOld > wrongNew) {
        add(`sizes ${wrongOld} -> ${wrongNew}`, { oldSize: wrongOld, newSize: wrongNew }, "size_invalid");
      } else if (consistencyPathRanges(wrongOld, wrongNew).length !== base.proofHex.length) {
        add(`sizes ${wrongOld} -> ${wrongNew}`, { oldSize: wrongOld, newSize: wrongNew }, "proof_length_wrong");
      }
    }
    add("old size above new size", { oldSize: newSize + 1 }, "size_invalid");
    add("negative old size", { oldSize: -1 }, "size_invalid");
    add("wrong old root", { oldRootHex: SOME_HASH_HEX }, wrongOldRootCode(oldSize));
    add("wrong new root", { newRootHex: SOME_HASH_HEX }, "new_root_mismatch");
    add("old root of wrong length", { oldRootHex: WRONG_LENGTH_HEX }, "hash_length_wrong");
    add("swapped roots", { oldRootHex: base.newRootHex, newRootHex: base.oldRootHex }, wrongOldRootCode(oldSize));
    add("empty proof", { proofHex: [] }, "proof_length_wrong");
    add("trailing garbage", { proofHex: [...base.proofHex, ""] }, "proof_length_wrong");
    add("trailing new root", { proofHex: [...base.proofHex, base.newRootHex] }, "proof_length_wrong");
    add("preceding old root", { proofHex: [base.oldRootHex, ...base.proofHex] }, "proof_length_wrong");
    add("truncated proof", { proofHex: base.proofHex.slice(0, -1) }, "proof_length_wrong");
    add("short proof[0]", { proofHex: [WRONG_LENGTH_HEX, ...base.proofHex.slice(1)] }, "hash_length_wrong");
    base.proofHex.forEach((hashHex, i) => {
      const proofHex = base.proofHex.map((h, j) => (j === i ? flipHexByte(hashHex, 0, 16) : h));
      add(`proof[${i}] bit flipped`, { proofHex }, flippedConsistencyCode(oldSize, newSize, i));
    });
  }
  const emptyTree = { oldSize: 0, newSize: 3, oldRootHex: EMPTY_SHA256_HEX, newRootHex: bytesToHex(rootFromLeafHashes(leaves.slice(0, 3))), proofHex: [] };
  probes.push({ name: "empty old tree with a non-empty root", ...emptyTree, oldRootHex: SOME_HASH_HEX, expectedCode: "old_root_mismatch" });
  probes.push({ name: "empty old tree with a proof", ...emptyTree, proofHex: [SOME_HASH_HEX], expectedCode: "proof_length_wrong" });
  const sameSize = { oldSize: 4, newSize: 4, oldRootHex: bytesToHex(rootFromLeafHashes(leaves.slice(0, 4))), proofHex: [] };
  probes.push({ name: "same size, different roots", ...sameSize, newRootHex: SOME_HASH_HEX, expectedCode: "new_root_mismatch" });
  probes.push({ name: "same size with a proof", ...sameSize, newRootHex: sameSize.oldRootHex, proofHex: [SOME_HASH_HEX], expectedCode: "proof_length_wrong" });
  return probes;
}

function writeMerkleVectors(): void {
  const leaves = ourLeafHashes();
  writeVectors("merkle.json", {
    description:
      "RFC 9162 Merkle tree. reference: external RFC 6962/9162 data from transparency-dev/merkle. trees: our leaves (leaf i = leafHash(UTF-8 'double-chain leaf i')), for sizes 1..9 the root, every inclusion proof and every consistency proof. inclusionCorruptions / consistencyCorruptions: inputs to verifyInclusion / verifyConsistency and the MerkleCheckCode each must fail with. frontier: MerkleFrontier.serialize() after 9 appends.",
    reference: CT_REFERENCE,
    leafHashesHex: hashesToHex(leaves),
    trees: ourTrees(leaves),
    inclusionCorruptions: inclusionCorruptions(leaves),
    consistencyCorruptions: consistencyCorruptions(leaves),
    frontier: MerkleFrontier.fromLeafHashes(leaves).serialize(),
  });
}

// ---------------------------------------------------------------------------------------
// checkpoints.json
// ---------------------------------------------------------------------------------------

const CHECKPOINT_SIZES = [3, 6, 9];
const LOG_SIZE = 9;

function logEntries(): LogEntry[] {
  return Array.from({ length: LOG_SIZE }, (_, leafIndex) => {
    const transaction = vectorTransaction(`nonce-log-${leafIndex}`, BigInt(1000 * (leafIndex + 1)), BASE_TIME_MS + leafIndex * 1000);
    const signed = signTransaction(transaction, privateKeyOf(KEYS.supplier));
    return { leafIndex, acceptedAtMs: BASE_TIME_MS + leafIndex * 1000 + 500, signed };
  });
}

function operatorSign(checkpoint: Checkpoint): SignedCheckpoint {
  return signCheckpoint(checkpoint, KEYS.operator.keyId, privateKeyOf(KEYS.operator));
}

/** A signature by `key` presented under the operator's keyId (signCheckpoint refuses this). */
function forgedSign(checkpoint: Checkpoint, key: VectorKey): SignedCheckpoint {
  const signature = signDigest(privateKeyOf(key), checkpointDigest(checkpoint));
  return { checkpoint, keyId: KEYS.operator.keyId, signatureHex: bytesToHex(signature) };
}

/** Signs each checkpoint in turn, linking each to the hash of the one before. */
function buildChain(drafts: Array<Omit<Checkpoint, "previousCheckpointHash">>): SignedCheckpoint[] {
  const chain: SignedCheckpoint[] = [];
  for (const draft of drafts) {
    const previous = chain[chain.length - 1];
    const previousCheckpointHash = previous === undefined ? null : checkpointHash(previous.checkpoint);
    chain.push(operatorSign({ ...draft, previousCheckpointHash }));
  }
  return chain;
}

function checkpointDrafts(leafHashes: Uint8Array[]): Array<Omit<Checkpoint, "previousCheckpointHash">> {
  return CHECKPOINT_SIZES.map((size, i) => ({
    size,
    rootHash: bytesToHex(rootFromLeafHashes(leafHashes.slice(0, size))),
    timestampMs: BASE_TIME_MS + (i + 1) * 60_000,
  }));
}

function checkpointCorruptions(chain: SignedCheckpoint[], drafts: Array<Omit<Checkpoint, "previousCheckpointHash">>, proofsHex: string[][]): object[] {
  const edited = (i: number, edit: (signed: SignedCheckpoint) => void) => {
    const copy = clone(chain);
    edit(copy[i] as SignedCheckpoint);
    return copy;
  };
  const redrafted = (i: number, edit: Partial<Checkpoint>) => buildChain(drafts.map((d, j) => (j === i ? { ...d, ...edit } : d)));
  const case_ = (name: string, checkpoints: SignedCheckpoint[], expectedCode: string, expectedIndex: number, extra: object = {}) =>
    ({ name, checkpoints, expectedCode, expectedIndex, publicKeyHex: KEYS.operator.publicKeyHex, ...extra });
  const withProofs = { consistencyProofsHex: proofsHex };
  const fakeRoot = sha256Hex(utf8ToBytes("not the log"));
  const first = chain[0] as SignedCheckpoint;
  return [
    case_("signature byte flipped", edited(1, (s) => { s.signatureHex = flipHexByte(s.signatureHex, 5); }), "signature_invalid", 1),
    case_("root edited after signing", edited(1, (s) => { s.checkpoint.rootHash = fakeRoot; }), "signature_invalid", 1),
    case_("link edited after signing", edited(2, (s) => { s.checkpoint.previousCheckpointHash = fakeRoot; }), "signature_invalid", 2),
    case_("broken link, re-signed", edited(2, (s) => { Object.assign(s, operatorSign({ ...s.checkpoint, previousCheckpointHash: fakeRoot })); }), "previous_hash_mismatch", 2),
    case_("first checkpoint links to something", [operatorSign({ ...first.checkpoint, previousCheckpointHash: fakeRoot }), ...chain.slice(1)], "previous_hash_mismatch", 0),
    case_("middle checkpoint dropped", [chain[0], chain[2]] as SignedCheckpoint[], "previous_hash_mismatch", 1),
    case_("checkpoints reordered", [chain[0], chain[2], chain[1]] as SignedCheckpoint[], "previous_hash_mismatch", 1),
    case_("size decreased, re-signed and relinked", redrafted(2, { size: 2, rootHash: drafts[0]?.rootHash ?? "" }), "size_decreased", 2),
    case_("timestamp decreased, re-signed and relinked", redrafted(2, { timestampMs: BASE_TIME_MS }), "timestamp_decreased", 2),
    case_("same size, different root, re-signed", redrafted(2, { size: 6, rootHash: fakeRoot }), "not_consistent", 2),
    case_("wrong root re-signed, caught by consistency proof", redrafted(1, { rootHash: fakeRoot }), "not_consistent", 1, withProofs),
    case_("wrong last root re-signed, caught by consistency proof", redrafted(2, { rootHash: fakeRoot }), "not_consistent", 2, withProofs),
    case_("checked with another org's key", clone(chain), "key_id_mismatch", 0, { publicKeyHex: KEYS.supplier.publicKeyHex }),
    case_("signed by another key under the operator keyId", [forgedSign(first.checkpoint, KEYS.supplier), ...chain.slice(1)], "signature_invalid", 0),
    case_("uppercase root hash", edited(0, (s) => { s.checkpoint.rootHash = s.checkpoint.rootHash.toUpperCase(); }), "checkpoint_malformed", 0),
    case_("extra member", edited(1, (s) => { Object.assign(s.checkpoint, { note: "x" }); }), "checkpoint_malformed", 1),
    case_("signature truncated", edited(0, (s) => { s.signatureHex = s.signatureHex.slice(2); }), "signature_malformed", 0),
  ];
}

function writeCheckpointVectors(): void {
  const entries = logEntries();
  const leafHashes = entries.map(logEntryLeafHash);
  const drafts = checkpointDrafts(leafHashes);
  const chain = buildChain(drafts);
  const proofsHex = CHECKPOINT_SIZES.slice(1).map((size, i) =>
    hashesToHex(consistencyProof(leafHashes.slice(0, size), CHECKPOINT_SIZES[i] as number)),
  );
  writeVectors("checkpoints.json", {
    description:
      "Log entries and a chain of signed checkpoints over them. logEntries: wire form, canonical JSON and leaf hash; chain: 3 checkpoints at sizes 3, 6, 9 signed by the operator key, with consistencyProofsHex[i] proving checkpoint i -> i + 1; corruptions: a list of signed checkpoints, the key it is checked with, optional proofs, the CheckpointChainCode and the index of the first bad checkpoint.",
    operator: KEYS.operator,
    logEntries: entries.map((entry, i) => ({
      entry: toWire(entry),
      canonicalJson: canonicalJson(entry),
      leafHashHex: bytesToHex(leafHashes[i] as Uint8Array),
    })),
    chain,
    checkpointHashes: chain.map((signed) => checkpointHash(signed.checkpoint)),
    consistencyProofsHex: proofsHex,
    corruptions: checkpointCorruptions(chain, drafts, proofsHex),
  });
}

writeCanonicalVectors();
writeTransactionVectors();
writeMerkleVectors();
writeCheckpointVectors();
