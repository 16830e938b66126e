/* bounds.h - every size and count limit of sfmc-scan, in one place (the
 * ground floor: every stage may include it). */
#ifndef SFMC_BOUNDS_H
#define SFMC_BOUNDS_H

/* Bytes read per chunk when a file or stream is scanned piecewise (1 MiB:
 * same CPU time as 8 MiB on a 1.2 GB tree, less memory per thread). */
#define SFMC_CHUNK_SIZE ((size_t)1 << 20)
/* Bytes before and after a match (same line) searched for the inline
 * "sfmc-scan:allow" marker; chunks overlap by this much more so a marker is
 * seen whatever the chunking. */
#define SFMC_INLINE_ALLOW_REACH 1024
/* Default bytes a rule's match may extend around its keyword. */
#define SFMC_DEFAULT_WINDOW 256
/* Largest window a rule may ask for (chunk overlap is derived from it). */
#define SFMC_MAX_WINDOW 65536
/* Rules, keywords and keyword length per rule set. */
#define SFMC_MAX_RULES 1024
#define SFMC_MAX_KEYWORDS 64
#define SFMC_MAX_KEYWORD_LEN 256
/* Largest rules or config file read (bytes). */
#define SFMC_MAX_YAML_FILE ((size_t)4 << 20)
/* PCRE2 limits so a hostile rule errors instead of hanging. */
#define SFMC_PCRE2_MATCH_LIMIT 1000000u
#define SFMC_PCRE2_DEPTH_LIMIT 100000u
#define SFMC_PCRE2_JIT_STACK_MAX ((size_t)1 << 20)
/* Milliseconds between redraws of the --progress line (10 per second). */
#define SFMC_PROGRESS_INTERVAL_MS 100
/* Longest delta chain the pack reader follows (git's own maximum is 4095);
 * a longer or looping chain is an error, never handed to libgit2 (which
 * follows any chain, allocating as it goes). */
#define SFMC_MAX_DELTA_DEPTH 10000
/* Delta-base cache of one pack reader (bytes; bounds memory, not speed). */
#define SFMC_PACK_CACHE_BYTES ((size_t)48 << 20)
/* Delta-base caches of all the threads reading blobs, together (bytes),
 * split between them but never below SFMC_PACK_CACHE_MIN_BYTES each. */
#define SFMC_GIT_BLOB_CACHE_BYTES ((size_t)64 << 20)
#define SFMC_PACK_CACHE_MIN_BYTES ((size_t)16 << 20)
/* Pack bytes each pack reader reads at once when going forward (one pread
 * serves the objects that follow; larger objects are read alone). */
#define SFMC_PACK_WINDOW_BYTES ((size_t)1 << 20)
/* libgit2's object cache (bytes; see gitrepo.c): the walk reads trees
 * through the pack reader and each commit once, so a larger cache only
 * held git/git's parsed commits (95 MB at 64 MiB) for no time saved. */
#define SFMC_GIT_OBJECT_CACHE_BYTES ((size_t)4 << 20)
/* libgit2's mapped pack windows, together (bytes). */
#define SFMC_GIT_MAPPED_BYTES ((size_t)64 << 20)
/* Size of one of libgit2's mapped pack windows (bytes): small enough that
 * SFMC_GIT_MAPPED_BYTES can unmap the ones not used lately. */
#define SFMC_GIT_MWINDOW_BYTES ((size_t)32 << 20)
/* Fewer blobs than this are read through libgit2 alone (staged, hooks): the
 * pack reader's set-up (sorting every pack offset) would cost more than it saves. */
#define SFMC_PACKREADER_MIN_BLOBS 256
/* Raw trees the history walk keeps (bytes): a commit's parent trees were
 * usually read for the parent just before. */
#define SFMC_GIT_TREE_CACHE_BYTES ((size_t)32 << 20)
/* Consecutive commits the history walk compares as one unit of work (its
 * own visited set): fixed, so results do not depend on the thread count;
 * large, so trees seen in a block are rarely walked again in the next. */
#define SFMC_WALK_BLOCK_COMMITS 1024
/* Delta-base cache of the pack reader that reads the commit graph (bytes):
 * commits are rarely deltas, and each one read is otherwise copied into it. */
#define SFMC_WALK_COMMIT_CACHE_BYTES ((size_t)1 << 20)
/* Fewer commits than this are walked through libgit2's object reads alone
 * (hooks): the pack reader's set-up would cost more than it saves. */
#define SFMC_WALK_PACKREADER_MIN_COMMITS 64
/* Contiguous runs of the pack-ordered blobs per git reading thread (fewer:
 * fewer bases read twice at run edges; more: better balance at the end). */
#define SFMC_GIT_RUNS_PER_THREAD 16
/* Threads the scanner will start at most. */
#define SFMC_MAX_THREADS 256
/* Findings kept per blob before the rest are counted as an error. */
#define SFMC_MAX_FINDINGS_PER_BLOB 100000
/* Body characters shown in a redacted secret. */
#define SFMC_REDACT_SHOW 4
/* How long a datastore write waits for another process before "datastore busy" (SFMC_DATASTORE_BUSY_MS overrides). */
#define SFMC_DATASTORE_BUSY_MS 5000
/* The same wait for `audit`'s children (SFMC_DATASTORE_BUSY_MS in their environment, unless it is set): they
 * write one datastore, each holding its lock for one transaction per repository (seconds for a large history,
 * after every child ahead of it in the queue); 10 minutes outwaits them, yet a stuck writer still ends in "busy". */
#define SFMC_AUDIT_DATASTORE_BUSY_MS 600000
/* Longest secret the datastore reads back (a damaged row is refused). */
#define SFMC_DATASTORE_MAX_SECRET 65536
/* Locations listed per secret in the HTML report (the rest are counted). */
#define SFMC_HTML_MAX_LOCATIONS 20
/* HTML rows laid out at load; the rest wait in closed <details> of this many
 * rows each (10,000 laid-out rows take chromium seconds; closed ones nothing). */
#define SFMC_HTML_FIRST_ROWS 200
#define SFMC_HTML_CHUNK_ROWS 1000
/* Length of a generated token's body (issue: SFMC_ + 51 + 8). */
#define SFMC_TOKEN_BODY_LEN 51
/* Directory nesting depth followed before the walker reports an error. */
#define SFMC_MAX_DIR_DEPTH 100000
/* Default cap for sfmc_buf (1 GiB); callers may lower it. */
#define SFMC_BUF_DEFAULT_LIMIT ((size_t)1 << 30)
/* Longest secret kept in a finding (longer matches are truncated in reports). */
#define SFMC_MAX_SECRET_LEN 4096
/* SARIF results per run: GitHub code scanning rejects uploads with more. */
#define SFMC_SARIF_MAX_RESULTS 25000
/* --report FMT:PATH options accepted in one run. */
#define SFMC_MAX_REPORTS 16
/* Options on one command line that are checked against the command (more are refused). */
#define SFMC_MAX_CLI_OPTIONS 256
/* Path segments in one config glob. */
#define SFMC_MAX_GLOB_SEGMENTS 256
/* Largest --baseline file read (bytes). */
#define SFMC_MAX_BASELINE_FILE ((size_t)256 << 20)

/* Bytes of distinct paths (and directory prefixes) a git scan interns. */
#define SFMC_MAX_PATH_TABLE ((size_t)4 << 30)
/* Bytes of expanded paths of a version 4 index (prefix compression can
 * make them quadratic in the file's size); beyond, libgit2 reads it. */
#define SFMC_MAX_INDEX_PATHS ((size_t)256 << 20)
/* Nesting of git trees followed before a history scan reports an error. */
#define SFMC_MAX_TREE_DEPTH 4096
/* Longest line git may feed a pre-push / pre-receive hook (two oids and two refs). */
#define SFMC_HOOK_MAX_LINE 8192
/* commit-msg: the largest message file read (git's own messages are far smaller; larger fails closed). */
#define SFMC_COMMIT_MSG_MAX_FILE ((size_t)16 << 20)
/* Decoding layers applied to one piece of text (base64>base64 is 2). */
#define SFMC_DECODE_MAX_DEPTH 2
/* Encoded bytes allowed per decoded byte when sizing a decode window
 * (wrapped base64 ~1.6, UTF-16 2, base64>base64 ~2.6). */
#define SFMC_DECODE_EXPANSION 4
/* Decoded findings remembered so the same one found from another hit is dropped. */
#define SFMC_DECODE_RECENT 64
/* Derived literals (encoded forms of keywords) per rule set. */
#define SFMC_DECODE_MAX_LITERALS 4096
/* Longest encoding chain name ("base64>utf16le"), NUL included. */
#define SFMC_DECODE_MAX_NAME 40
/* Keywords (of all rules) searched in the decoders' pass instead of a pass
 * of their own; more fall back to the detector's per-keyword search. */
#define SFMC_DECODE_MAX_FUSED 32
/* Keyword hits the fused pass records per buffer (bounds its memory); past
 * that the detector searches the buffer itself. */
#define SFMC_DECODE_MAX_PLAIN_HITS 65536
/* Archives and compressed files (detect/archive.c). Default nesting of
 * archives opened (--archive-depth; a docker save image is 2: image, layer). */
#define SFMC_ARCHIVE_DEPTH 4
#define SFMC_ARCHIVE_MAX_DEPTH 16
/* Decompressed bytes read from one outer file, all members and levels together. */
#define SFMC_ARCHIVE_MAX_BYTES (2ULL << 30)
/* Decompressed bytes per byte of the outer file beyond which the rest is not
 * read (a bomb), once SFMC_ARCHIVE_RATIO_FROM bytes were read. */
#define SFMC_ARCHIVE_MAX_RATIO 200
#define SFMC_ARCHIVE_RATIO_FROM (64ULL << 20)
/* Members (all levels) read from one outer file. */
#define SFMC_ARCHIVE_MAX_MEMBERS 100000
/* Longest member path kept (bytes, all levels); longer ones are skipped. */
#define SFMC_ARCHIVE_MAX_PATH 4096
/* Bytes of a stream (stdin) copied aside to extract it; beyond, its members are skipped. */
#define SFMC_ARCHIVE_MAX_SPOOL (4ULL << 30)
/* Bytes looked at to recognise an archive (tar's magic is at 257). */
#define SFMC_ARCHIVE_SNIFF_BYTES 265

/* Credential context: lines searched either side of a secret (rule default,
 * and the most a rule may ask), bytes kept around chunk edges for it (also
 * the most searched either side), distinct candidates counted per kind. */
#define SFMC_CONTEXT_LINES 30
#define SFMC_CONTEXT_MAX_LINES 1000
#define SFMC_CONTEXT_REACH 8192
#define SFMC_CONTEXT_MAX_CANDIDATES 64
#define SFMC_CONTEXT_MAX_VALUE 64

/* Live verification (--verify): concurrent requests, per-tenant rate, the
 * timeout (seconds), the largest answer read, the longest Retry-After
 * honoured (seconds), distinct credentials checked per run. */
#define SFMC_VERIFY_JOBS 4
#define SFMC_VERIFY_MAX_JOBS 64
#define SFMC_VERIFY_RATE 2
#define SFMC_VERIFY_MAX_RATE 1000
#define SFMC_VERIFY_TIMEOUT 10
#define SFMC_VERIFY_MAX_TIMEOUT 300
#define SFMC_VERIFY_MAX_BODY 65536
#define SFMC_VERIFY_MAX_RETRY_AFTER 30
#define SFMC_VERIFY_MAX_CREDENTIALS 100000

/* `audit` and `merge`: repositories scanned at once (--jobs default and
 * most), repositories in one audit, the longest line of a --repos file or
 * of a merged JSONL file (a finding line with long paths and a commit
 * subject fits easily), the bytes of one repository's report read from its
 * scan (a child), the last bytes of a failed child's stderr kept as its
 * error, and the repositories a forge listing may return (then it fails:
 * never a silent partial list). */
#define SFMC_AUDIT_JOBS 2
#define SFMC_AUDIT_MAX_JOBS 64
#define SFMC_AUDIT_MAX_REPOS 100000
#define SFMC_AUDIT_MAX_LINE (1 << 20)
#define SFMC_AUDIT_MAX_REPORT (512ULL << 20)
#define SFMC_AUDIT_STDERR_TAIL 2048
#define SFMC_LISTING_MAX_REPOS SFMC_AUDIT_MAX_REPOS
/* Forge listings: one page's answer (100 repositories of GitHub JSON are
 * ~600 KiB), pages followed, the default for the total time spent waiting
 * on rate limits (--api-max-wait), and the request timeout (seconds). */
#define SFMC_LISTING_MAX_BODY (16 << 20)
#define SFMC_LISTING_MAX_PAGES 2000
#define SFMC_LISTING_MAX_WAIT 60
#define SFMC_LISTING_TIMEOUT 30

#endif
