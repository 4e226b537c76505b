/*
 * 抽取记录的参考验证程序（docs/draw-spec.md）：按公开的抽取规范重算一份公开抽取记录
 * （/public/draws/<编号>.json），逐项给出“一致 / 不一致”。不依赖服务器计算，也不依赖任何库。
 *
 * Reference verifier of a public draw record, written from docs/draw-spec.md alone; the same
 * checks, under the same Chinese names, as shuangsuiji/draw/verify.py verify_record on a public
 * record. SHA-256 / HMAC-SHA256 go through WebCrypto (crypto.subtle) where it exists (browsers on
 * https or localhost, Node >= 20); elsewhere (a browser on plain HTTP) through the small pure
 * JavaScript SHA-256 below (FIPS 180-4, RFC 2104).
 *
 * Browser: the public draw page loads this file; its 验证 button runs the checks in the page.
 * Node:    node draw-verify.js record.json [--pure-js]   (one line per check; exit 0 when all agree)
 *          node draw-verify.js --vectors docs/draw-spec.md [--pure-js]   (the spec's §9 vectors)
 */
(function (root) {
  "use strict";

  var POOL_V1 = "ssj-pool-v1";
  var POOL_V2 = "ssj-pool-v2";
  var POOL_FORMATS = [POOL_V1, POOL_V2];
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

  function byteCompare(a, b) {
    var x = utf8.encode(a), y = utf8.encode(b);
    for (var i = 0; i < x.length && i < y.length; i++) if (x[i] !== y[i]) return x[i] - y[i];
    return x.length - y.length;
  }

  function equalBytes(a, b) {
    if (a.length !== b.length) return false;
    for (var i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }

  function bigOf(b) {
    return BigInt("0x" + (hex(b) || "0"));
  }

  // ---- the procedure (§2–§6) -------------------------------------------------------------------

  function Verifier(c) {
    this.c = c;
  }

  Verifier.prototype.H = function (b) {
    return this.c.sha256(b);
  };

  Verifier.prototype.leafHash = function (label, key, fmt) {
    return this.H(concat([new Uint8Array([0]), fmt === POOL_V1 ? enc(label, key) : enc(key)]));
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

  Verifier.prototype.deriveSeed = async function (drawId, secretHex, poolRootHex, reveals, publicValue) {
    var fields = ["ssj-draw-seed-v1", drawId, poolRootHex, publicValue || ""];
    reveals.slice().sort(function (a, b) { return byteCompare(a.label, b.label); }).forEach(function (r) {
      fields.push(r.label, r.number, r.salt_hex);
    });
    var mac = await this.c.hmacKey(unhex(secretHex));
    return mac(enc.apply(null, fields));
  };

  /** §6: the first `quota` steps of a Fisher–Yates shuffle of 0..size-1, with `below` over the
   * stream HMAC(seed, enc("ssj-positions-v1", label) ‖ u64(j)) and rejection sampling. */
  Verifier.prototype.selectPositions = async function (seed, label, size, quota) {
    if (!(Number.isInteger(size) && Number.isInteger(quota)) || quota < 0 || quota > size) return null;
    var mac = await this.c.hmacKey(seed);
    var prefix = enc("ssj-positions-v1", label);
    var counter = 0;
    var span = 1n << 256n;
    async function below(m) {
      var big = BigInt(m);
      var limit = span - (span % big);
      for (;;) {
        var x = bigOf(await mac(concat([prefix, u64(counter++)])));
        if (x < limit) return Number(x % big);
      }
    }
    var swapped = new Map();
    var out = [];
    for (var i = 0; i < quota; i++) {
      var j = i + (await below(size - i));
      var vi = swapped.has(i) ? swapped.get(i) : i;
      var vj = swapped.has(j) ? swapped.get(j) : j;
      swapped.set(j, vi);
      out.push(vj);
    }
    return out;
  };

  // ---- the record's checks (the same as verify_record, under the same names) -----------------------

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
    var fmt = rec.pool_format || POOL_V1; // records published before formats were named are v1
    if (POOL_FORMATS.indexOf(fmt) < 0) {
      check("对象池格式为本规范所定义", false, fmt);
      return checks;
    }
    var rootOk = await safely(async function () {
      return hex(await v.poolRoot(strata, fmt)) === rec.pool_root;
    });
    check("对象池根哈希 = 各分层（编号、数量、根哈希）的汇总（" + fmt + "）", rootOk, rec.pool_root);
    if (rec.secret_hex) {
      check(
        "服务器密钥与公告时的承诺一致",
        (await v.serverSecretCommitment(did, rec.secret_hex)) === rec.secret_commitment,
        rec.secret_commitment
      );
    }
    var witnesses = rec.witnesses || [];
    for (var i = 0; i < witnesses.length; i++) {
      var w = witnesses[i];
      if (w.number) {
        var c = await v.witnessCommitment(did, w.label, w.number, w.salt_hex);
        check(w.label + " 揭示的数字与其承诺一致", c === w.commitment, w.commitment);
      }
    }
    if (!rec.seed) return checks; // announced, aborted before the draw, or not yet drawn
    var seed = await safely(function () {
      return v.deriveSeed(did, rec.secret_hex, rec.pool_root, witnesses, rec.public_value);
    });
    check(
      "种子 = HMAC(服务器密钥, 编号、根哈希、公开随机值、见证人数字)",
      seed && hex(seed) === rec.seed,
      rec.seed
    );
    if (!seed) return checks;
    var positions = {};
    for (i = 0; i < strata.length; i++) {
      positions[strata[i].label] = await v.selectPositions(seed, strata[i].label, strata[i].size, strata[i].quota);
    }
    if (rec.selection !== undefined && rec.selection !== null) {
      var published = {};
      rec.selection
        .slice()
        .sort(function (a, b) { return a.order - b.order; })
        .forEach(function (s) {
          (published[s.label] = published[s.label] || []).push(s.position);
        });
      strata.forEach(function (s) {
        var want = positions[s.label];
        var got = published[s.label] || [];
        check(
          "分层 " + s.label + "：按种子重算的位置与公布的一致（" + s.quota + "/" + s.size + "）",
          want !== null && want.length === got.length && want.every(function (p, k) { return p === got[k]; })
        );
      });
      var roots = {};
      strata.forEach(function (s) {
        roots[s.label] = s;
      });
      var bad = [];
      for (i = 0; i < rec.selection.length; i++) {
        var sel = rec.selection[i];
        var st = roots[sel.label];
        var ok =
          !!st &&
          (await safely(async function () {
            var leaf = await v.leafHash(sel.label, sel.key, fmt);
            return v.verifyPath(leaf, sel.position, st.size, sel.path, unhex(st.root));
          }));
        if (!ok) bad.push(sel.key);
      }
      check("每个抽中对象都在冻结的对象池中其公布的位置上（默克尔路径）", !bad.length, bad.slice(0, 5).join("、"));
    }
    return checks;
  }

  // ---- the spec's known-answer vectors (§9, §9.1) --------------------------------------------------

  /** The JSON blocks of docs/draw-spec.md §9 (and §9.1, marked `json ssj-pool-v2`). */
  function specVectors(markdown) {
    var base = null, v2 = null;
    var re = /```json( ssj-pool-v2)?\n([\s\S]*?)\n```/g, m;
    while ((m = re.exec(markdown))) {
      var obj = JSON.parse(m[2]);
      if (m[1]) v2 = obj;
      else if (!base && obj.draw_id) base = obj;
    }
    return { base: base, v2: v2 };
  }

  /** Each §9 vector recomputed: [{name, ok}]. */
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
    var formats = [[POOL_V1, b], [POOL_V2, vec.v2]];
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
      var seed = await v.deriveSeed(b.draw_id, b.secret_hex, pr, b.reveals, b.public_value);
      check("规范向量（" + fmt + "）：种子", hex(seed) === want.seed);
      for (i = 0; i < b.strata.length; i++) {
        s = b.strata[i];
        var pos = await v.selectPositions(seed, s.label, s.keys.length, b.quotas[s.label]);
        check(
          "规范向量（" + fmt + "）：分层 " + s.label + " 的位置与对象",
          JSON.stringify(pos) === JSON.stringify(want.positions[s.label]) &&
            JSON.stringify(pos.map(function (p) { return s.keys[p]; })) === JSON.stringify(want.selected[s.label])
        );
      }
      var s2 = b.strata.filter(function (x) { return x.label === "S2"; })[0];
      var s2root = unhex(want.stratum_roots.S2);
      var pathsOk = true;
      for (var p in want.paths_S2) {
        var idx = Number(p);
        pathsOk =
          pathsOk && (await v.verifyPath(leavesOf.S2[idx], idx, s2.keys.length, want.paths_S2[p], s2root));
      }
      check("规范向量（" + fmt + "）：分层 S2 的默克尔路径", pathsOk);
    }
    for (i = 0; i < b.more_positions.length; i++) {
      var mp = b.more_positions[i];
      var got = await v.selectPositions(unhex(mp.seed), mp.label, mp.size, mp.quota);
      check("规范向量：分层 " + mp.label + " 的位置（" + mp.quota + "/" + mp.size + "）", JSON.stringify(got) === JSON.stringify(mp.positions));
    }
    return out;
  }

  var api = {
    verifyRecord: verifyRecord,
    checkVectors: checkVectors,
    sha256Pure: sha256Pure,
    hmacPure: hmacPure,
    hasWebCrypto: function () { return !!subtle(); },
  };

  // ---- the public draw page: the 验证 button runs the checks here -----------------------------------

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
        list = doc.createElement("ul");
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
        out.after(list);
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

  // ---- Node: node draw-verify.js record.json [--pure-js] | --vectors draw-spec.md ------------------

  if (typeof require !== "undefined" && typeof module !== "undefined" && require.main === module) {
    var args = process.argv.slice(2);
    var pureJs = args.indexOf("--pure-js") >= 0 || process.env.SSJ_VERIFY_PURE_JS === "1";
    var files = args.filter(function (a) { return a.slice(0, 2) !== "--"; });
    var vectors = args.indexOf("--vectors") >= 0;
    if (files.length !== 1) {
      process.stderr.write("用法：node draw-verify.js 抽取记录.json [--pure-js]\n      node draw-verify.js --vectors docs/draw-spec.md [--pure-js]\n");
      process.exit(2);
    }
    var text = require("fs").readFileSync(files[0], "utf8");
    var run = vectors ? checkVectors(text, { pureJs: pureJs }) : verifyRecord(JSON.parse(text), { pureJs: pureJs });
    run.then(
      function (checks) {
        checks.forEach(function (c) {
          process.stdout.write((c.ok ? "一致" : "不一致") + "\t" + c.name + (c.detail ? "\t" + c.detail : "") + "\n");
        });
        process.stdout.write("# " + (pureJs || !subtle() ? "pure-js" : "webcrypto") + "\n");
        process.exit(checks.length && checks.every(function (c) { return c.ok; }) ? 0 : 1);
      },
      function (e) {
        process.stderr.write("无法验证：" + e.message + "\n");
        process.exit(2);
      }
    );
  }
})(typeof window !== "undefined" ? window : globalThis);
