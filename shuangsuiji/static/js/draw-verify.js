/*
 * 抽取记录的参考验证程序（docs/draw-spec.md）：按公开的抽取规范重算一份公开抽取记录
 * （/public/draws/<编号>.json），逐项给出“一致 / 不一致”。不依赖服务器计算，也不依赖任何库。
 *
 * Reference verifier of a draw record (ssj-draw-record-v2: records of ssj-draw-v2 and of the
 * earlier ssj-draw-v1), written from docs/draw-spec.md alone; the same checks, under the same
 * Chinese names, in the same order and with the same answers as shuangsuiji/draw/verify.py
 * verify_record on the record (the public record, or the auditor's, teams included). Also checks
 * one selected enterprise's own proof (records.entry_proof, shown on its selection page after it
 * enters the code printed on its notice). SHA-256 / HMAC-SHA256 go through WebCrypto
 * (crypto.subtle) where it exists (browsers on https or localhost, Node >= 20); elsewhere (a
 * browser on plain HTTP) through the small pure JavaScript SHA-256 below (FIPS 180-4, RFC 2104).
 *
 * Browser: the public draw page loads this file; its 验证 button runs the checks in the page.
 *          window.ssjDrawVerify.verifyRecord(record), .checkProof(proof, record) for a page.
 * Node:    node draw-verify.js record.json [--pure-js]     (one line per check; exit 0 when all agree)
 *          node draw-verify.js --proof proof.json [record.json] [--pure-js]   (an entry's own proof)
 *          node draw-verify.js --vectors docs/draw-spec.md [--pure-js]   (the spec's vectors)
 */
(function (root) {
  "use strict";

  var POOL_V1 = "ssj-pool-v1";
  var POOL_V2 = "ssj-pool-v2";
  var POOL_V3 = "ssj-pool-v3";
  var POOL_FORMATS = [POOL_V1, POOL_V2, POOL_V3];
  var SALTED = [POOL_V3];
  var SPEC_V2 = "ssj-draw-v2";
  var TEAM_V1 = "ssj-team-v1";
  var TEAM_V2 = "ssj-team-v2";
  var utf8 = new TextEncoder();

  // ---- pure-JS SHA-256 (FIPS 180-4) and HMAC (RFC 2104) ------------------------------------------

  var K = new Uint32Array([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
  ]);

  function sha256Pure(msg) {
    var len = msg.length;
    var padded = new Uint8Array(((len + 9 + 63) >> 6) << 6);
    padded.set(msg);
    padded[len] = 0x80;
    var bits = len * 8;
    var dv = new DataView(padded.buffer);
    dv.setUint32(padded.length - 8, Math.floor(bits / 0x100000000));
    dv.setUint32(padded.length - 4, bits >>> 0);
    var h = new Uint32Array([
      0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
    ]);
    var w = new Uint32Array(64);
    for (var off = 0; off < padded.length; off += 64) {
      for (var t = 0; t < 16; t++) w[t] = dv.getUint32(off + 4 * t);
      for (t = 16; t < 64; t++) {
        var x = w[t - 15], y = w[t - 2];
        var s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
        var s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
        w[t] = (w[t - 16] + s0 + w[t - 7] + s1) | 0;
      }
      var a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
      for (t = 0; t < 64; t++) {
        var S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
        var t1 = (k + S1 + ((e & f) ^ (~e & g)) + K[t] + w[t]) | 0;
        var S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
        var t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
        k = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
      }
      h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += k;
    }
    var out = new Uint8Array(32);
    var odv = new DataView(out.buffer);
    for (var i = 0; i < 8; i++) odv.setUint32(4 * i, h[i]);
    return out;
  }

  function hmacPure(key, msg) {
    var k0 = new Uint8Array(64);
    k0.set(key.length > 64 ? sha256Pure(key) : key);
    var ipad = new Uint8Array(64 + msg.length);
    var opad = new Uint8Array(64 + 32);
    for (var i = 0; i < 64; i++) {
      ipad[i] = k0[i] ^ 0x36;
      opad[i] = k0[i] ^ 0x5c;
    }
    ipad.set(msg, 64);
    opad.set(sha256Pure(ipad), 64);
    return sha256Pure(opad);
  }

  // ---- the two back ends: WebCrypto where available, else pure JS ----------------------------------

  function subtle() {
    var c = root.crypto || (typeof globalThis !== "undefined" ? globalThis.crypto : undefined);
    return c && c.subtle ? c.subtle : null;
  }

  function makeCrypto(pureJs) {
    var s = pureJs ? null : subtle();
    if (!s) {
      return {
        name: "pure-js",
        sha256: function (b) { return Promise.resolve(sha256Pure(b)); },
        hmacKey: function (key) {
          return Promise.resolve(function (msg) { return Promise.resolve(hmacPure(key, msg)); });
        },
      };
    }
    return {
      name: "webcrypto",
      sha256: function (b) {
        return s.digest("SHA-256", b).then(function (d) { return new Uint8Array(d); });
      },
      hmacKey: function (key) {
        // WebCrypto refuses an empty HMAC key; RFC 2104 pads it like any other
        if (!key.length) {
          return Promise.resolve(function (msg) { return Promise.resolve(hmacPure(key, msg)); });
        }
        return s.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]).then(function (k) {
          return function (msg) {
            return s.sign("HMAC", k, msg).then(function (d) { return new Uint8Array(d); });
          };
        });
      },
    };
  }

  // ---- encoding (§1) ---------------------------------------------------------------------------

  function concat(parts) {
    var n = 0, i;
    for (i = 0; i < parts.length; i++) n += parts[i].length;
    var out = new Uint8Array(n), o = 0;
    for (i = 0; i < parts.length; i++) {
      out.set(parts[i], o);
      o += parts[i].length;
    }
    return out;
  }

  function u32(n) {
    var b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, n);
    return b;
  }

  function u64(n) {
    var b = new Uint8Array(8);
    var dv = new DataView(b.buffer);
    dv.setUint32(0, Math.floor(n / 0x100000000));
    dv.setUint32(4, n >>> 0);
    return b;
  }

  /** enc(f1, f2, …): each field's 4-byte big-endian length, then its bytes (text as UTF-8, an
   * integer as 8 bytes big-endian, raw bytes as given). */
  function enc() {
    var parts = [];
    for (var i = 0; i < arguments.length; i++) {
      var f = arguments[i];
      var b = typeof f === "number" ? u64(f) : typeof f === "string" ? utf8.encode(f) : f;
      parts.push(u32(b.length), b);
    }
    return concat(parts);
  }

  function hex(b) {
    var s = "";
    for (var i = 0; i < b.length; i++) s += (b[i] < 16 ? "0" : "") + b[i].toString(16);
    return s;
  }

  function unhex(s) {
    if (typeof s !== "string" || s.length % 2 || /[^0-9a-fA-F]/.test(s)) throw new Error("不是十六进制：" + s);
    var out = new Uint8Array(s.length / 2);
    for (var i = 0; i < out.length; i++) out[i] = parseInt(s.substr(2 * i, 2), 16);
    return out;
  }

  function compareBytes(x, y) {
    for (var i = 0; i < x.length && i < y.length; i++) if (x[i] !== y[i]) return x[i] - y[i];
    return x.length - y.length;
  }

  /** Text in UTF-8 byte order, which is code-point order (Python's str order; not JavaScript's
   * default sort, which compares UTF-16 code units). */
  function byteCompare(a, b) {
    return compareBytes(utf8.encode(a), utf8.encode(b));
  }

  function equalBytes(a, b) {
    return a.length === b.length && compareBytes(a, b) === 0;
  }

  function bigOf(b) {
    return BigInt("0x" + (hex(b) || "0"));
  }

  function isObject(x) {
    return x !== null && typeof x === "object" && !Array.isArray(x);
  }

  function has(obj, k) {
    return isObject(obj) && Object.prototype.hasOwnProperty.call(obj, k);
  }

  function get(obj, k, dflt) {
    return has(obj, k) ? obj[k] : dflt;
  }

  /** Python's truth of a JSON value (verify.py reads `rec.get(...) or …`, `if x:`). */
  function truthy(x) {
    if (x === undefined || x === null || x === false || x === 0 || x === "") return false;
    if (Array.isArray(x)) return x.length > 0;
    if (isObject(x)) return Object.keys(x).length > 0;
    return true;
  }

  /** Python's == between two JSON values (numbers and booleans by value, as Python compares
   * them; objects by their keys and values; arrays in order). */
  function pyEq(a, b) {
    if (a === undefined) a = null;
    if (b === undefined) b = null;
    var na = typeof a === "number" || typeof a === "boolean";
    var nb = typeof b === "number" || typeof b === "boolean";
    if (na || nb) return na && nb && Number(a) === Number(b);
    if (Array.isArray(a) || Array.isArray(b)) {
      if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
      for (var i = 0; i < a.length; i++) if (!pyEq(a[i], b[i])) return false;
      return true;
    }
    if (isObject(a) || isObject(b)) {
      if (!isObject(a) || !isObject(b)) return false;
      var ka = Object.keys(a), kb = Object.keys(b);
      if (ka.length !== kb.length) return false;
      for (var j = 0; j < ka.length; j++) if (!has(b, ka[j]) || !pyEq(a[ka[j]], b[ka[j]])) return false;
      return true;
    }
    return a === b;
  }

  /** §1.1: the canonical JSON text of the terms — Python's json.dumps(value, ensure_ascii=False,
   * sort_keys=True, separators=(",", ":")): keys sorted by code point, no whitespace, strings
   * escaped as JSON.stringify escapes them (", \, and the control characters U+0000–U+001F only,
   * \b \f \n \r \t or \u00xx in lower case; everything else as itself), integers in decimal. */
  function canonicalJson(value) {
    if (value === null || value === undefined) return "null";
    if (value === true) return "true";
    if (value === false) return "false";
    if (typeof value === "number") {
      if (!Number.isSafeInteger(value)) throw new Error("条款中的数应为整数（比例写作十进制文本）：" + value);
      return String(value);
    }
    if (typeof value === "string") return JSON.stringify(value);
    if (Array.isArray(value)) return "[" + value.map(canonicalJson).join(",") + "]";
    return (
      "{" +
      Object.keys(value)
        .sort(byteCompare)
        .map(function (k) { return JSON.stringify(k) + ":" + canonicalJson(value[k]); })
        .join(",") +
      "}"
    );
  }

  // ---- exact decimals for the quota rules (§5) --------------------------------------------------

  /** A ratio as Python's Decimal reads it, exactly: {digits, scale}, the value digits × 10^−scale.
   * A decimal text (sign, digits, fraction, exponent, surrounding spaces, "_" between digits), or
   * a JSON number at its exact binary value (Decimal(float)); null when it is not a number. */
  function exactRatio(x) {
    if (typeof x === "boolean") return { digits: x ? 1n : 0n, scale: 0 };
    if (typeof x === "number") {
      if (!Number.isFinite(x)) return null;
      var dv = new DataView(new ArrayBuffer(8));
      dv.setFloat64(0, x);
      var hi = dv.getUint32(0), lo = dv.getUint32(4);
      var sign = hi >>> 31 ? -1n : 1n;
      var exp = (hi >>> 20) & 0x7ff;
      var mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
      if (exp) mant |= 1n << 52n;
      else exp = 1;
      var e = exp - 1075; // x = mant × 2^e; 2^−k = 5^k × 10^−k
      return e >= 0 ? { digits: sign * (mant << BigInt(e)), scale: 0 } : { digits: sign * mant * 5n ** BigInt(-e), scale: -e };
    }
    if (typeof x !== "string") return null;
    var m = /^\s*([+-])?(?:(\d(?:_?\d)*)(?:\.(\d(?:_?\d)*)?)?|\.(\d(?:_?\d)*))(?:[eE]([+-]?\d(?:_?\d)*))?\s*$/.exec(x);
    if (!m) return null;
    var whole = (m[2] || "").replace(/_/g, "");
    var frac = (m[3] || m[4] || "").replace(/_/g, "");
    var scale = frac.length - (m[5] ? Number(m[5].replace(/_/g, "")) : 0);
    if (!Number.isSafeInteger(scale) || Math.abs(scale) > 10000) return null;
    return { digits: BigInt(whole + frac || "0") * (m[1] === "-" ? -1n : 1n), scale: scale };
  }

  function DrawError(message) {
    this.message = message;
  }

  /** n × r as Python's decimal context computes it: the exact product rounded to 28 significant
   * digits, half to even; then its ceiling. */
  function ceilProduct(n, r) {
    var p = BigInt(n) * r.digits, scale = r.scale;
    var neg = p < 0n;
    var a = neg ? -p : p;
    var drop = a.toString().length - 28;
    if (drop > 0) {
      var unit = 10n ** BigInt(drop);
      var q = a / unit, rem = a % unit, half = unit / 2n;
      if (rem > half || (rem === half && q % 2n === 1n)) q += 1n;
      a = q;
      scale -= drop;
    }
    p = neg ? -a : a;
    if (scale <= 0) return p * 10n ** BigInt(-scale);
    var den = 10n ** BigInt(scale);
    var f = p / den;
    return p > 0n && p % den ? f + 1n : f;
  }

  /** engine.quotas_by_ratio: min(size, ⌈size × ratio⌉) in decimal arithmetic; a ratio outside
   * [0, 1] is refused. */
  function quotasByRatio(sizes, ratios) {
    var out = {};
    Object.keys(sizes).forEach(function (label) {
      var r = has(ratios, label) ? ratios[label] : { digits: 0n, scale: 0 };
      var one = r.scale >= 0 ? 10n ** BigInt(r.scale) : 1n;
      var d = r.scale >= 0 ? r.digits : r.digits * 10n ** BigInt(-r.scale);
      if (d < 0n || d > one) throw new DrawError(label + " 的抽查比例应在 0 到 100% 之间");
      var q = ceilProduct(sizes[label], r);
      out[label] = Number(q < BigInt(sizes[label]) ? q : BigInt(sizes[label]));
    });
    return out;
  }

  /** engine.quotas_by_total: largest remainder (Hamilton), ties to the label that sorts first. */
  function quotasByTotal(sizes, total) {
    if (!Number.isInteger(total)) throw new DrawError("抽取数量应为整数");
    var labels = Object.keys(sizes);
    var n = 0n;
    labels.forEach(function (l) { n += BigInt(sizes[l]); });
    var t = BigInt(total);
    if (t < 0n) throw new DrawError("抽取数量不能为负数");
    var out = {};
    if (t >= n) {
      labels.forEach(function (l) { out[l] = sizes[l]; });
      return out;
    }
    var left = t, rem = {};
    labels.forEach(function (l) {
      var p = BigInt(sizes[l]) * t;
      out[l] = p / n;
      rem[l] = p % n;
      left -= out[l];
    });
    labels
      .slice()
      .sort(function (a, b) { return rem[a] > rem[b] ? -1 : rem[a] < rem[b] ? 1 : byteCompare(a, b); })
      .slice(0, Number(left))
      .forEach(function (l) { out[l] += 1n; });
    labels.forEach(function (l) { out[l] = Number(out[l]); });
    return out;
  }

  /** An ISO 8601 time as microseconds since the epoch and whether it carries an offset (Python's
   * datetime.fromisoformat; a time without an offset is compared only with another without). */
  function instant(text) {
    var m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2}(?::?\d{2}(?:\.\d{1,6})?)?)?)?$/.exec(
      typeof text === "string" ? text : ""
    );
    if (!m) return null;
    var ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +(m[6] || 0));
    var us = ms * 1000 + Number(((m[7] || "") + "000000").slice(0, 6));
    var off = m[8];
    if (off && off !== "Z") {
      var sign = off[0] === "-" ? -1 : 1;
      var d = off.slice(1).replace(/:/g, "");
      var secs = +d.slice(0, 2) * 3600 + +(d.slice(2, 4) || 0) * 60 + Number(d.slice(4) || 0);
      us -= sign * Math.round(secs * 1e6);
    }
    return { us: us, aware: !!off };
  }

  function earlier(a, b) {
    var x = instant(a), y = instant(b);
    return !!x && !!y && x.aware === y.aware && x.us < y.us;
  }

  // ---- the procedure (§2–§7) -------------------------------------------------------------------

  function Verifier(c) {
    this.c = c;
  }

  Verifier.prototype.H = function (b) {
    return this.c.sha256(b);
  };

  /** §2.2: the leaf of an unsalted pool (v1: the label and the key; v2: the key alone). */
  Verifier.prototype.leafHash = function (label, key, fmt) {
    return this.H(concat([new Uint8Array([0]), fmt === POOL_V1 ? enc(label, key) : enc(key)]));
  };

  /** §2.2, ssj-pool-v3: H(0x00 ‖ enc(draw_id, salt, key)). */
  Verifier.prototype.saltedLeaf = function (drawId, salt, key) {
    return this.H(concat([new Uint8Array([0]), enc(drawId, salt, key)]));
  };

  Verifier.prototype.node = function (l, r) {
    return this.H(concat([new Uint8Array([1]), l, r]));
  };

  /** RFC 6962 Merkle Tree Hash over leaf hashes in position order. */
  Verifier.prototype.merkleRoot = async function (leaves) {
    if (!leaves.length) return this.H(new Uint8Array(0));
    if (leaves.length === 1) return leaves[0];
    var k = 1;
    while (k * 2 < leaves.length) k *= 2;
    return this.node(await this.merkleRoot(leaves.slice(0, k)), await this.merkleRoot(leaves.slice(k)));
  };

  /** RFC 6962 §2.1.1: the audit path of leaf m, bottom-up. */
  Verifier.prototype.auditPath = async function (m, leaves) {
    if (leaves.length <= 1) return [];
    var k = 1;
    while (k * 2 < leaves.length) k *= 2;
    if (m < k) return (await this.auditPath(m, leaves.slice(0, k))).concat([await this.merkleRoot(leaves.slice(k))]);
    return (await this.auditPath(m - k, leaves.slice(k))).concat([await this.merkleRoot(leaves.slice(0, k))]);
  };

  /** RFC 9162 §2.1.3.2: the root from a leaf hash, its index, the tree size and its audit path. */
  Verifier.prototype.verifyPath = async function (leaf, index, size, path, rootBytes) {
    if (!(Number.isInteger(index) && index >= 0 && index < size) || !Array.isArray(path)) return false;
    var fn = index, sn = size - 1, r = leaf;
    for (var i = 0; i < path.length; i++) {
      var step = unhex(path[i]);
      if (sn === 0) return false;
      if (fn % 2 === 1 || fn === sn) {
        r = await this.node(step, r);
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      } else {
        r = await this.node(r, step);
      }
      fn = Math.floor(fn / 2);
      sn = Math.floor(sn / 2);
    }
    return sn === 0 && equalBytes(r, rootBytes);
  };

  Verifier.prototype.poolRoot = function (strata, fmt) {
    var fields = [fmt];
    strata.slice().sort(function (a, b) { return byteCompare(a.label, b.label); }).forEach(function (s) {
      fields.push(s.label, s.size, unhex(s.root));
    });
    return this.H(enc.apply(null, fields));
  };

  Verifier.prototype.serverSecretCommitment = async function (drawId, secretHex) {
    return hex(await this.H(enc("ssj-server-secret-v1", drawId, secretHex)));
  };

  Verifier.prototype.witnessCommitment = async function (drawId, label, number, saltHex) {
    return hex(await this.H(enc("ssj-witness-v1", drawId, label, number, saltHex)));
  };

  /** §2.5: H(enc("ssj-terms-v1", canonical JSON of the terms)), hex. */
  Verifier.prototype.termsHash = async function (terms) {
    return hex(await this.H(enc("ssj-terms-v1", canonicalJson(terms))));
  };

  /** §4: v2 (termsHashHex given) or v1 (termsHashHex null). */
  Verifier.prototype.deriveSeed = async function (drawId, secretHex, poolRootHex, reveals, publicValue, termsHashHex) {
    var fields =
      termsHashHex === null || termsHashHex === undefined
        ? ["ssj-draw-seed-v1", drawId, poolRootHex, publicValue || ""]
        : ["ssj-draw-seed-v2", drawId, poolRootHex, termsHashHex, publicValue || ""];
    reveals.slice().sort(function (a, b) { return byteCompare(a.label, b.label); }).forEach(function (r) {
      fields.push(r.label, r.number, r.salt_hex);
    });
    var mac = await this.c.hmacKey(unhex(secretHex));
    return mac(enc.apply(null, fields));
  };

  /** §6: the stream of 256-bit blocks HMAC(seed, prefix ‖ u64(j)), j = 0, 1, …, and below(m):
   * the next block x, rejected while x ≥ 2²⁵⁶ − (2²⁵⁶ mod m), else x mod m. below(1) takes a
   * block too (and never rejects it). */
  Verifier.prototype.stream = async function (seed, prefix) {
    var mac = await this.c.hmacKey(seed);
    var counter = 0;
    var span = 1n << 256n;
    return {
      below: async function (m) {
        var big = BigInt(m);
        var limit = span - (span % big);
        for (;;) {
          var x = bigOf(await mac(concat([prefix, u64(counter++)])));
          if (x < limit) return Number(x % big);
        }
      },
    };
  };

  /** §6: the first `quota` steps of a Fisher–Yates shuffle of 0..size-1, with `below` over the
   * stream HMAC(seed, enc("ssj-positions-v1", label) ‖ u64(j)). */
  Verifier.prototype.selectPositions = async function (seed, label, size, quota) {
    if (!(Number.isInteger(size) && Number.isInteger(quota)) || quota > size) return null;
    var stream = await this.stream(seed, enc("ssj-positions-v1", label));
    var swapped = new Map();
    var out = [];
    for (var i = 0; i < quota; i++) {
      var j = i + (await stream.below(size - i));
      var vi = swapped.has(i) ? swapped.get(i) : i;
      var vj = swapped.has(j) ? swapped.get(j) : j;
      swapped.set(j, vi);
      out.push(vj);
    }
    return out;
  };

  /** §7: one department's team drawer under ssj-team-v1 or v2; draw(targetKey, barred) gives the
   * team's keys in the order taken, loads updated. Throws DrawError as the engine refuses. */
  Verifier.prototype.teamDrawer = async function (spec, seed, department, candidates, required, size) {
    if (spec !== TEAM_V1 && spec !== TEAM_V2) throw new DrawError("未知的人员抽取规范版本：" + spec);
    var v = this;
    var cands = candidates.map(function (c) { return { key: c.key, specs: new Set(c.specialties || []) }; });
    var keys = new Set(cands.map(function (c) { return c.key; }));
    var load = {};
    var mac = await v.c.hmacKey(seed);
    function leastLoaded(list) {
      if (!list.length) return list;
      var low = Math.min.apply(null, list.map(function (c) { return load[c.key] || 0; }));
      return list
        .filter(function (c) { return (load[c.key] || 0) === low; })
        .sort(function (a, b) { return byteCompare(a.key, b.key); });
    }
    async function chooser(targetKey) {
      if (spec === TEAM_V2) {
        var stream = await v.stream(seed, enc(TEAM_V2, targetKey, department));
        return async function (group) { return group[await stream.below(group.length)]; };
      }
      return async function (group) {
        var best = null, bestMac = null;
        for (var i = 0; i < group.length; i++) {
          var d = await mac(enc(TEAM_V1, targetKey, department, group[i].key));
          if (best === null || compareBytes(d, bestMac) < 0) {
            best = group[i];
            bestMac = d;
          }
        }
        return best;
      };
    }
    return {
      load: load,
      draw: async function (targetKey, barred) {
        if (size < 2) throw new DrawError("检查组至少 2 名执法人员（专家不计入）");
        var excluded = new Set((barred || []).filter(function (k) { return keys.has(k); }));
        var available = cands.length - excluded.size;
        if (available < size) {
          throw new DrawError(department + "：对检查对象 " + targetKey + " 可抽取的执法人员只有 " + available + " 名，不足 " + size + " 名");
        }
        var choose = await chooser(targetKey);
        var team = [];
        for (var i = 0; i < required.length; i++) {
          var spec_ = required[i];
          if (team.some(function (m) { return m.specs.has(spec_); })) continue;
          var group = leastLoaded(cands.filter(function (c) { return c.specs.has(spec_) && !excluded.has(c.key); }));
          if (!group.length) {
            throw new DrawError(department + "：对检查对象 " + targetKey + " 没有具备“" + spec_ + "”专长且无需回避的执法人员");
          }
          var pick = await choose(group);
          team.push(pick);
          excluded.add(pick.key);
        }
        if (team.length > size) throw new DrawError(department + "：覆盖全部专长需要 " + team.length + " 人，超过检查组人数 " + size);
        while (team.length < size) {
          pick = await choose(leastLoaded(cands.filter(function (c) { return !excluded.has(c.key); })));
          team.push(pick);
          excluded.add(pick.key);
        }
        team.forEach(function (m) { load[m.key] = (load[m.key] || 0) + 1; });
        return team.map(function (m) { return m.key; });
      },
    };
  };

  /** §7.2: the replacement after an approved recusal under ssj-team-v2. */
  Verifier.prototype.replacementV2 = async function (seed, targetKey, department, recusedKey, candidates, missing, load) {
    var fit = candidates.filter(function (c) {
      return missing.every(function (m) { return (c.specialties || []).indexOf(m) >= 0; });
    });
    if (!fit.length) return null;
    var low = Math.min.apply(null, fit.map(function (c) { return load[c.key] || 0; }));
    var group = fit
      .filter(function (c) { return (load[c.key] || 0) === low; })
      .sort(function (a, b) { return byteCompare(a.key, b.key); });
    var stream = await this.stream(seed, enc("ssj-team-replace-v2", targetKey, department, recusedKey));
    return group[await stream.below(group.length)].key;
  };

  // ---- the record's checks (verify.py's verify_record: the same names, order and answers) ----------

  var RULES = { ratio: "按比例", total: "按总数", replace: "只补抽被移除的对象" };

  function ruleName(rule) {
    if (rule === undefined || rule === null) return "None";
    return has(RULES, rule) ? RULES[rule] : String(rule);
  }

  /** verify.py's check_terms: the terms' hash; the terms agree with the record; the quotas follow
   * from the rule the terms state. */
  async function checkTerms(v, rec, check) {
    var terms = truthy(rec.terms) ? rec.terms : {};
    var strata = rec.strata;
    var hashOk = false;
    try {
      hashOk = (await v.termsHash(terms)) === get(rec, "terms_hash", null);
    } catch (e) {
      hashOk = false;
    }
    check("抽取条款哈希 = 条款的规范化文本的哈希", hashOk, get(rec, "terms_hash", ""));
    var quotas = {}, sizes = {};
    strata.forEach(function (s) {
      quotas[s.label] = s.quota;
      sizes[s.label] = s.size;
    });
    check(
      "抽取条款与记录一致（抽取编号、对象池格式、各层抽取数、公开随机值来源）",
      pyEq(get(terms, "draw_id", null), rec.draw_id) &&
        pyEq(get(terms, "pool_format", null), poolFormat(rec)) &&
        pyEq(get(terms, "quotas", null), quotas) &&
        pyEq(get(terms, "public_value_source", null), get(rec, "public_value_source", null))
    );
    var rule = get(terms, "quota_rule", null);
    var expected = null;
    try {
      if (rule === "ratio") {
        if (!has(terms, "ratios")) throw new DrawError("ratios");
        var ratios = {};
        Object.keys(terms.ratios).forEach(function (k) {
          var r = exactRatio(terms.ratios[k]);
          if (!r) throw new DrawError("ratio");
          ratios[k] = r;
        });
        expected = quotasByRatio(sizes, ratios);
      } else if (rule === "total") {
        if (!has(terms, "total")) throw new DrawError("total");
        expected = quotasByTotal(sizes, terms.total);
      } else if (rule === "replace") {
        if (!has(terms, "replace")) throw new DrawError("replace");
        expected = {};
        Object.keys(sizes).forEach(function (label) { expected[label] = get(terms.replace, label, 0); });
      }
    } catch (e) {
      expected = null;
    }
    check("各层抽取数由条款的规则（" + ruleName(rule) + "）算出", expected !== null && pyEq(expected, quotas));
  }

  function poolFormat(rec) {
    return has(rec, "pool_format") ? rec.pool_format : POOL_V1; // records from before formats were named
  }

  function sameList(a, b) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every(function (x, k) { return x === b[k]; });
  }

  async function verifyRecord(rec, options) {
    var v = new Verifier(makeCrypto(options && options.pureJs));
    var checks = [];
    function check(name, ok, detail) {
      checks.push({ name: name, ok: !!ok, detail: detail || "" });
    }
    async function safely(fn) {
      try {
        return await fn();
      } catch (e) {
        return false;
      }
    }
    var did = rec.draw_id;
    var strata = rec.strata || [];
    var fmt = poolFormat(rec);
    var v2 = rec.spec === SPEC_V2;
    if (POOL_FORMATS.indexOf(fmt) < 0) {
      check("对象池格式为本规范所定义", false, fmt);
      return checks;
    }
    var rootOk = await safely(async function () {
      return hex(await v.poolRoot(strata, fmt)) === rec.pool_root;
    });
    check("对象池根哈希 = 各分层（编号、数量、根哈希）的汇总（对象池格式第 " + fmt.split("-v").pop() + " 版）", rootOk, rec.pool_root);
    if (v2) await checkTerms(v, rec, check);
    if (truthy(rec.secret_hex)) {
      check(
        "服务器密钥与公告时的承诺一致",
        (await v.serverSecretCommitment(did, rec.secret_hex)) === rec.secret_commitment,
        rec.secret_commitment
      );
    }
    var witnesses = rec.witnesses || [];
    for (var i = 0; i < witnesses.length; i++) {
      var w = witnesses[i];
      if (truthy(w.number)) {
        var c = await v.witnessCommitment(did, w.label, w.number, w.salt_hex);
        check(w.label + " 揭示的数字与其承诺一致", c === w.commitment, w.commitment);
      }
      if (v2 && truthy(w.committed_at) && truthy(rec.public_value_at)) {
        check(w.label + " 在公开随机值产生之前承诺", earlier(w.committed_at, rec.public_value_at), w.committed_at);
      }
    }
    if (!truthy(rec.seed)) return checks; // announced, aborted before the draw, or not yet drawn
    var termsHashHex = v2 ? get(rec, "terms_hash", null) : null;
    var seed = await safely(function () {
      return v.deriveSeed(did, rec.secret_hex, rec.pool_root, witnesses, get(rec, "public_value", ""), termsHashHex);
    });
    check(
      "种子 = 以服务器密钥计算的带密钥哈希（编号、根哈希、" + (v2 ? "条款哈希、" : "") + "公开随机值、见证人数字）",
      seed && hex(seed) === rec.seed,
      rec.seed
    );
    if (!seed) return checks;
    var positions = {}, roots = {};
    for (i = 0; i < strata.length; i++) {
      var st = strata[i];
      positions[st.label] = await safely(function () { return v.selectPositions(seed, st.label, st.size, st.quota); });
      roots[st.label] = st;
    }
    function pathOk(leafFn, label, position, path) {
      var s = roots[label];
      if (!s) return false;
      return safely(async function () {
        return v.verifyPath(await leafFn(), position, s.size, path, unhex(s.root));
      });
    }
    var bad;
    if (rec.drawn !== undefined && rec.drawn !== null) {
      var byLabel = new Map();
      rec.drawn.forEach(function (d) { byLabel.set(d.label, d.entries || []); });
      strata.forEach(function (s) {
        var entries = byLabel.has(s.label) ? byLabel.get(s.label) : [];
        check(
          "分层 " + s.label + "：按种子重算的位置与公布的一致（" + s.quota + "/" + s.size + "）",
          sameList(positions[s.label], entries.map(function (e) { return e.position; }))
        );
      });
      bad = [];
      for (var entry of byLabel) {
        for (var k = 0; k < entry[1].length; k++) {
          var e = entry[1][k];
          var ok = await pathOk(function () { return unhex(e.leaf); }, entry[0], e.position, e.path);
          if (!ok) bad.push(entry[0] + "#" + e.position);
        }
      }
      check("每个抽中的叶子都在冻结的对象池中其位置上（默克尔路径）", !bad.length, bad.slice(0, 5).join("、"));
    }
    if (rec.named !== undefined && rec.named !== null) {
      var drawnNow = rec.named.filter(function (n) { return !truthy(n.carried); }).length;
      var total = strata.reduce(function (t, s) { return t + s.quota; }, 0);
      check("公布名单的对象数与各层抽取数之和一致（" + drawnNow + "）", drawnNow === total);
    }
    if (rec.selection !== undefined && rec.selection !== null) {
      // the auditor's record: every entry with its stratum, position, key, salt and path
      var published = {};
      rec.selection
        .slice()
        .sort(function (a, b) { return a.order - b.order; })
        .forEach(function (s) {
          if (s.position !== undefined && s.position !== null) (published[s.label] = published[s.label] || []).push(s.position);
        });
      strata.forEach(function (s) {
        check(
          "分层 " + s.label + "：按种子重算的位置与名单一致（" + s.quota + "/" + s.size + "）",
          sameList(positions[s.label], published[s.label] || [])
        );
      });
      bad = [];
      for (i = 0; i < rec.selection.length; i++) {
        var sel = rec.selection[i];
        if (sel.position === undefined || sel.position === null) continue; // carried: proven in its own draw
        var leafOf = function () {
          return SALTED.indexOf(fmt) >= 0 ? v.saltedLeaf(did, sel.salt, sel.key) : v.leafHash(sel.label, sel.key, fmt);
        };
        if (!(await pathOk(leafOf, sel.label, sel.position, sel.path))) bad.push(sel.key);
      }
      check("每个抽中对象都在冻结的对象池中其位置上（默克尔路径）", !bad.length, bad.slice(0, 5).join("、"));
    }
    var teams = rec.teams || [];
    for (i = 0; i < teams.length; i++) await checkTeams(v, seed, teams[i], check);
    return checks;
  }

  /** verify.py's check_teams: one department's team draw re-run from its recorded inputs. */
  async function checkTeams(v, seed, dept, check) {
    var bad = [];
    try {
      var drawer = await v.teamDrawer(dept.spec, seed, dept.department, dept.candidates, dept.required, dept.team_size);
      for (var i = 0; i < dept.teams.length; i++) {
        var t = dept.teams[i];
        var got = await drawer.draw(t.key, get(dept.barred, t.key, []));
        if (!sameList(got, t.team)) bad.push(t.key);
      }
    } catch (e) {
      bad = [e && e.message ? e.message : String(e)];
    }
    check(
      dept.department + "：按规范 " + dept.spec + " 重算的检查组与记录一致（" + (dept.teams || []).length + " 个对象）",
      !bad.length,
      bad.slice(0, 5).join("、")
    );
  }

  // ---- an enterprise's own proof (records.entry_proof) ------------------------------------------------

  /** The proof a selected enterprise sees on its selection page after entering the code on its
   * notice: its leaf from (draw id, salt, key), the leaf at its position under its stratum's root,
   * and — given the draw's public record — its stratum as the record commits it, its position
   * among those the record's seed draws, and its leaf among the record's drawn leaves. (The record
   * itself is checked by verifyRecord.) */
  async function checkProof(proof, record, options) {
    var v = new Verifier(makeCrypto(options && options.pureJs));
    var checks = [];
    function check(name, ok, detail) {
      checks.push({ name: name, ok: !!ok, detail: detail || "" });
    }
    async function safely(fn) {
      try {
        return await fn();
      } catch (e) {
        return false;
      }
    }
    var fmt = proof.pool_format || POOL_V1;
    var salted = SALTED.indexOf(fmt) >= 0;
    if (POOL_FORMATS.indexOf(fmt) < 0) {
      check("对象池格式为本规范所定义", false, fmt);
      return checks;
    }
    var leaf = await safely(function () {
      return salted ? v.saltedLeaf(proof.draw_id, proof.salt, proof.key) : v.leafHash(proof.label, proof.key, fmt);
    });
    check(
      salted ? "叶哈希 = H(0x00 ‖ enc(抽取编号, 盐值, 本单位标识))" : "叶哈希 = 本单位标识的叶哈希（" + fmt + "）",
      leaf && hex(leaf) === proof.leaf,
      proof.leaf
    );
    var onPath = await safely(async function () {
      return v.verifyPath(unhex(proof.leaf), proof.position, proof.size, proof.path, unhex(proof.root));
    });
    check("本单位在公告时冻结的对象池中，位置 " + proof.position, onPath);
    if (record) {
      var s = (record.strata || []).filter(function (x) { return x.label === proof.label; })[0];
      check(
        "本单位所在分层（编号、数量、抽取数、根哈希）与抽取记录一致",
        record.draw_id === proof.draw_id &&
          poolFormat(record) === fmt &&
          !!s && s.size === proof.size && s.quota === proof.quota && s.root === proof.root
      );
      var drawn = false;
      if (truthy(record.seed)) {
        var positions = await safely(function () {
          return v.selectPositions(unhex(record.seed), proof.label, proof.size, proof.quota);
        });
        drawn = !!positions && positions.indexOf(proof.position) >= 0;
      }
      check("按种子重算，本分层抽中的位置包含 " + proof.position, drawn);
      if (record.drawn !== undefined && record.drawn !== null) {
        var listed = (record.drawn || []).some(function (d) {
          return d.label === proof.label && (d.entries || []).some(function (e) { return e.position === proof.position && e.leaf === proof.leaf; });
        });
        check("本单位的叶子在抽取记录公布的抽中叶子中", listed);
      }
    }
    return checks;
  }

  // ---- the spec's known-answer vectors (§9, §9.1, §9.2, §10, §10.1) ----------------------------------

  /** The JSON blocks of docs/draw-spec.md: §9 and §10 are plain `json` blocks (the first with a
   * draw_id, the first with a department); the others are marked by their info string. */
  function specVectors(markdown) {
    var out = { base: null, teams: null };
    var re = /```json( [a-z0-9-]+)?\n([\s\S]*?)\n```/g, m;
    while ((m = re.exec(markdown))) {
      var obj = JSON.parse(m[2]);
      if (m[1]) out[m[1].trim()] = obj;
      else if (!out.base && obj.draw_id) out.base = obj;
      else if (!out.teams && obj.department) out.teams = obj;
    }
    return out;
  }

  function same(a, b) {
    return JSON.stringify(a) === JSON.stringify(b);
  }

  /** Each vector recomputed: [{name, ok}]. */
  async function checkVectors(markdown, options) {
    var vec = specVectors(markdown);
    var v = new Verifier(makeCrypto(options && options.pureJs));
    var out = [];
    function check(name, ok) {
      out.push({ name: name, ok: !!ok, detail: "" });
    }
    var b = vec.base;
    check("规范向量：服务器密钥承诺", (await v.serverSecretCommitment(b.draw_id, b.secret_hex)) === b.server_secret_commitment);
    for (var i = 0; i < b.reveals.length; i++) {
      var r = b.reveals[i];
      check(
        "规范向量：" + r.label + " 的承诺",
        (await v.witnessCommitment(b.draw_id, r.label, r.number, r.salt_hex)) === b.witness_commitments[r.label]
      );
    }
    // §9 (ssj-pool-v1) and §9.1 (ssj-pool-v2): unsalted pools, keys in byte order, seed v1
    var formats = [[POOL_V1, b], [POOL_V2, vec["ssj-pool-v2"]]];
    for (var f = 0; f < formats.length; f++) {
      var fmt = formats[f][0], want = formats[f][1];
      if (!want) continue;
      var strata = [];
      var leavesOf = {};
      for (i = 0; i < b.strata.length; i++) {
        var s = b.strata[i];
        var leaves = [];
        for (var j = 0; j < s.keys.length; j++) leaves.push(await v.leafHash(s.label, s.keys[j], fmt));
        leavesOf[s.label] = leaves;
        var rt = hex(await v.merkleRoot(leaves));
        check("规范向量（" + fmt + "）：分层 " + s.label + " 的根哈希", rt === want.stratum_roots[s.label]);
        strata.push({ label: s.label, size: s.keys.length, root: rt });
      }
      var pr = hex(await v.poolRoot(strata, fmt));
      check("规范向量（" + fmt + "）：对象池根哈希", pr === want.pool_root);
      var seed = await v.deriveSeed(b.draw_id, b.secret_hex, pr, b.reveals, b.public_value, null);
      check("规范向量（" + fmt + "）：种子", hex(seed) === want.seed);
      for (i = 0; i < b.strata.length; i++) {
        s = b.strata[i];
        var pos = await v.selectPositions(seed, s.label, s.keys.length, b.quotas[s.label]);
        check(
          "规范向量（" + fmt + "）：分层 " + s.label + " 的位置与对象",
          same(pos, want.positions[s.label]) &&
            same(pos.map(function (p) { return s.keys[p]; }), want.selected[s.label])
        );
      }
      var s2 = b.strata.filter(function (x) { return x.label === "S2"; })[0];
      var s2root = unhex(want.stratum_roots.S2);
      var pathsOk = true;
      for (var p in want.paths_S2) {
        var idx = Number(p);
        pathsOk = pathsOk && (await v.verifyPath(leavesOf.S2[idx], idx, s2.keys.length, want.paths_S2[p], s2root));
      }
      check("规范向量（" + fmt + "）：分层 S2 的默克尔路径", pathsOk);
    }
    for (i = 0; i < b.more_positions.length; i++) {
      var mp = b.more_positions[i];
      var got = await v.selectPositions(unhex(mp.seed), mp.label, mp.size, mp.quota);
      check("规范向量：分层 " + mp.label + " 的位置（" + mp.quota + "/" + mp.size + "）", same(got, mp.positions));
    }
    var qr = b.quotas_by_ratio, ratios = {};
    Object.keys(qr.ratios).forEach(function (k) { ratios[k] = exactRatio(qr.ratios[k]); });
    check("规范向量：按比例计算各层抽取数", same(quotasByRatio(qr.sizes, ratios), qr.quotas));
    var qt = b.quotas_by_total;
    check("规范向量：按总数分配各层抽取数", pyEq(quotasByTotal(qt.sizes, qt.total), qt.quotas));
    if (vec["ssj-draw-v2"]) await checkDrawV2Vector(v, vec["ssj-draw-v2"], check, options);
    if (vec.teams) await checkTeamVectors(v, vec.teams, check);
    if (vec["ssj-teams-v2-single"]) await checkSingleGroupVector(v, vec["ssj-teams-v2-single"], check);
    return out;
  }

  /** §9.2: ssj-draw-v2 over an ssj-pool-v3 pool, from the salts to the published record. */
  async function checkDrawV2Vector(v, x, check, options) {
    var fmt = POOL_V3;
    var strata = [], leavesOf = {};
    for (var i = 0; i < x.strata.length; i++) {
      var s = x.strata[i];
      var entries = [];
      for (var j = 0; j < s.entries.length; j++) {
        var e = s.entries[j];
        entries.push({ key: e.key, leaf: await v.saltedLeaf(x.draw_id, e.salt, e.key) });
      }
      var leafOk = entries.every(function (e) { return hex(e.leaf) === x.leaves[e.key]; });
      check("规范向量（ssj-draw-v2）：分层 " + s.label + " 的加盐叶哈希", leafOk);
      entries.sort(function (a, b) { return compareBytes(a.leaf, b.leaf); });
      check(
        "规范向量（ssj-draw-v2）：分层 " + s.label + " 按叶哈希排序的位置",
        same(entries.map(function (e) { return e.key; }), x.ordered[s.label])
      );
      leavesOf[s.label] = entries.map(function (e) { return e.leaf; });
      var rt = hex(await v.merkleRoot(leavesOf[s.label]));
      check("规范向量（ssj-draw-v2）：分层 " + s.label + " 的根哈希", rt === x.stratum_roots[s.label]);
      strata.push({ label: s.label, size: entries.length, root: rt });
    }
    var pr = hex(await v.poolRoot(strata, fmt));
    check("规范向量（ssj-draw-v2）：对象池根哈希（ssj-pool-v3）", pr === x.pool_root);
    check("规范向量（ssj-draw-v2）：条款的规范化文本", canonicalJson(x.terms) === x.terms_canonical);
    var th = await v.termsHash(x.terms);
    check("规范向量（ssj-draw-v2）：条款哈希", th === x.terms_hash);
    var sizes = {};
    strata.forEach(function (s) { sizes[s.label] = s.size; });
    var ratios = {};
    Object.keys(x.terms.ratios).forEach(function (k) { ratios[k] = exactRatio(x.terms.ratios[k]); });
    check("规范向量（ssj-draw-v2）：各层抽取数（按比例）", same(quotasByRatio(sizes, ratios), x.terms.quotas));
    var seed = await v.deriveSeed(x.draw_id, x.secret_hex, pr, x.reveals, x.public_value, th);
    check("规范向量（ssj-draw-v2）：种子", hex(seed) === x.seed);
    for (i = 0; i < x.strata.length; i++) {
      s = x.strata[i];
      var pos = await v.selectPositions(seed, s.label, leavesOf[s.label].length, x.terms.quotas[s.label]);
      var d = x.record.drawn.filter(function (dd) { return dd.label === s.label; })[0];
      var pathsOk = true;
      for (j = 0; j < pos.length; j++) {
        var path = (await v.auditPath(pos[j], leavesOf[s.label])).map(hex);
        pathsOk =
          pathsOk && !!d && d.entries[j].position === pos[j] && d.entries[j].leaf === hex(leavesOf[s.label][pos[j]]) && same(d.entries[j].path, path);
      }
      check(
        "规范向量（ssj-draw-v2）：分层 " + s.label + " 的位置、对象、叶哈希与默克尔路径",
        same(pos, x.positions[s.label]) &&
          same(pos.map(function (p) { return x.ordered[s.label][p]; }), x.selected[s.label]) &&
          pathsOk
      );
    }
    var checks = await verifyRecord(x.record, options);
    check(
      "规范向量（ssj-draw-v2）：示例公开记录逐项核验一致（" + checks.length + " 项）",
      checks.length && checks.every(function (c) { return c.ok; })
    );
  }

  /** §10: the same department's teams under v1 and v2, and v2's replacement. */
  async function checkTeamVectors(v, t, check) {
    var seed = unhex(t.seed);
    var specs = [[TEAM_V1, t.teams_v1], [TEAM_V2, t.teams_v2]];
    for (var k = 0; k < specs.length; k++) {
      var drawer = await v.teamDrawer(specs[k][0], seed, t.department, t.candidates, t.required, t.team_size);
      var teams = [];
      for (var i = 0; i < t.targets.length; i++) teams.push(await drawer.draw(t.targets[i], get(t.barred, t.targets[i], [])));
      check("规范向量：检查组（" + specs[k][0] + "）", same(teams, specs[k][1]));
    }
    var rp = t.replacement_v2;
    var left = new Set(rp.team_left.concat([rp.recused]));
    var pick = await v.replacementV2(
      seed,
      rp.target,
      t.department,
      rp.recused,
      t.candidates.filter(function (c) { return !left.has(c.key); }),
      rp.missing,
      rp.load
    );
    check("规范向量：回避后的替补（ssj-team-v2）", pick === rp.pick);
  }

  /** §10.1: a one-candidate group takes a block of the target's stream too. */
  async function checkSingleGroupVector(v, t, check) {
    var drawer = await v.teamDrawer(TEAM_V2, unhex(t.seed), t.department, t.candidates, t.required, t.team_size);
    var teams = [];
    for (var i = 0; i < t.targets.length; i++) teams.push(await drawer.draw(t.targets[i], get(t.barred, t.targets[i], [])));
    check("规范向量：只有一名候选人的组也消耗一个随机块（ssj-team-v2）", same(teams, t.teams_v2));
  }

  var api = {
    verifyRecord: verifyRecord,
    checkProof: checkProof,
    checkVectors: checkVectors,
    canonicalJson: canonicalJson,
    sha256Pure: sha256Pure,
    hmacPure: hmacPure,
    hasWebCrypto: function () { return !!subtle(); },
  };

  // ---- the public draw page: the 验证 button runs the checks here -----------------------------------

  /** Render checks as the page shows them: one <li> per check, 一致 / 不一致 then its name. */
  function renderChecks(doc, checks) {
    var list = doc.createElement("ul");
    list.setAttribute("data-verify-list", "");
    checks.forEach(function (c) {
      var li = doc.createElement("li");
      var tag = doc.createElement("span");
      tag.className = "tag " + (c.ok ? "ok" : "bad");
      tag.textContent = c.ok ? "一致" : "不一致";
      li.appendChild(tag);
      li.appendChild(doc.createTextNode(" " + c.name));
      list.appendChild(li);
    });
    return list;
  }
  api.renderChecks = renderChecks;

  function wirePage(doc) {
    var box = doc.getElementById("draw-verify");
    if (!box) return;
    var button = box.querySelector("button[data-verify]");
    var out = box.querySelector("[data-verify-result]");
    if (!button || !out) return;
    button.hidden = false;
    button.addEventListener("click", async function () {
      button.disabled = true;
      out.textContent = "正在验证……";
      out.className = "";
      var list = box.querySelector("ul[data-verify-list]");
      if (list) list.remove();
      try {
        var resp = await fetch(box.getAttribute("data-record-url"), { headers: { Accept: "application/json" } });
        if (!resp.ok) throw new Error("HTTP " + resp.status);
        var checks = await verifyRecord(await resp.json());
        var allOk = checks.every(function (c) { return c.ok; });
        out.className = "result " + (allOk ? "ok" : "bad");
        out.textContent = allOk
          ? "验证通过：全部 " + checks.length + " 项一致（在本浏览器中计算）"
          : "验证不通过（在本浏览器中计算）";
        out.after(renderChecks(doc, checks));
      } catch (e) {
        out.className = "result bad";
        out.textContent = "无法完成验证：" + e.message;
      } finally {
        button.disabled = false;
      }
    });
  }

  if (typeof module !== "undefined" && module.exports) {
    module.exports = api;
  } else {
    root.ssjDrawVerify = api;
  }
  if (typeof document !== "undefined") {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", function () { wirePage(document); });
    } else {
      wirePage(document);
    }
  }

  // ---- Node: node draw-verify.js record.json | --proof proof.json [record.json] | --vectors spec.md ----

  if (typeof require !== "undefined" && typeof module !== "undefined" && require.main === module) {
    var args = process.argv.slice(2);
    var pureJs = args.indexOf("--pure-js") >= 0 || process.env.SSJ_VERIFY_PURE_JS === "1";
    var files = args.filter(function (a) { return a.slice(0, 2) !== "--"; });
    var vectors = args.indexOf("--vectors") >= 0;
    var proofMode = args.indexOf("--proof") >= 0;
    if (!(files.length === 1 || (proofMode && files.length === 2))) {
      process.stderr.write(
        "用法：node draw-verify.js 抽取记录.json [--pure-js]\n" +
          "      node draw-verify.js --proof 本单位证明.json [抽取记录.json] [--pure-js]\n" +
          "      node draw-verify.js --vectors docs/draw-spec.md [--pure-js]\n"
      );
      process.exit(2);
    }
    var fs = require("fs");
    var read = function (f) { return fs.readFileSync(f, "utf8"); };
    var opts = { pureJs: pureJs };
    var run;
    if (vectors) run = checkVectors(read(files[0]), opts);
    else if (proofMode) run = checkProof(JSON.parse(read(files[0])), files[1] ? JSON.parse(read(files[1])) : null, opts);
    else run = verifyRecord(JSON.parse(read(files[0])), opts);
    run.then(
      function (checks) {
        checks.forEach(function (c) {
          process.stdout.write((c.ok ? "一致" : "不一致") + "\t" + c.name + (c.detail ? "\t" + c.detail : "") + "\n");
        });
        process.stdout.write("# " + (pureJs || !subtle() ? "pure-js" : "webcrypto") + "\n");
        process.exit(checks.length && checks.every(function (c) { return c.ok; }) ? 0 : 1);
      },
      function (e) {
        process.stderr.write("无法验证：" + (e && e.message) + "\n");
        process.exit(2);
      }
    );
  }
})(typeof window !== "undefined" ? window : globalThis);
