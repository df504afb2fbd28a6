//! Every parser of every family, and how a file is matched to one.

use std::sync::OnceLock;

use rayon::prelude::*;
use tplus_model::{Collected, Parser};

/// The parsers, in tie-break order (auth, cloud, deploy; each family's own order).
#[derive(Default)]
pub struct Registry {
    parsers: Vec<Box<dyn Parser>>,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.parsers.iter().map(|p| p.id()))
            .finish()
    }
}

/// `--format PATTERN=FORMAT`: force a format for matching files.
#[derive(Debug, Clone)]
pub struct FormatOverride {
    glob: globset::GlobMatcher,
    format: String,
}

impl FormatOverride {
    /// Parses `PATTERN=FORMAT`, checking that FORMAT exists.
    ///
    /// # Errors
    /// A message naming the bad pattern or the unknown format.
    pub fn parse(spec: &str) -> Result<FormatOverride, String> {
        let (pat, fmt) = spec
            .rsplit_once('=')
            .ok_or_else(|| format!("--format {spec:?}: expected PATTERN=FORMAT"))?;
        if Registry::global().by_id(fmt.trim()).is_none() {
            return Err(format!(
                "--format {spec:?}: unknown format {fmt:?} (see `tplus formats`)"
            ));
        }
        let glob = globset::GlobBuilder::new(pat.trim())
            .literal_separator(true)
            .build()
            .map_err(|e| format!("--format {spec:?}: {e}"))?
            .compile_matcher();
        Ok(FormatOverride {
            glob,
            format: fmt.trim().to_owned(),
        })
    }
}

/// How many bytes of an input the sniffers see.
pub const SNIFF_BYTES: usize = 64 * 1024;

impl Registry {
    /// The process-wide registry.
    pub fn global() -> &'static Registry {
        static R: OnceLock<Registry> = OnceLock::new();
        R.get_or_init(|| {
            let mut parsers = tplus_auth::parsers();
            parsers.extend(tplus_cloud::parsers());
            parsers.extend(tplus_deploy::parsers());
            Registry { parsers }
        })
    }

    /// All parsers.
    pub fn parsers(&self) -> impl Iterator<Item = &dyn Parser> {
        self.parsers.iter().map(|p| p.as_ref())
    }

    /// The parser with this format id.
    pub fn by_id(&self, id: &str) -> Option<&dyn Parser> {
        self.parsers().find(|p| p.id() == id)
    }

    /// Picks the parser for a file: an override whose glob matches, else the best sniff
    /// score over the first [`SNIFF_BYTES`] (first registered wins a tie).
    pub fn choose(
        &'static self,
        rel: &str,
        listed: &str,
        data: &[u8],
        overrides: &[FormatOverride],
    ) -> Option<&'static dyn Parser> {
        for o in overrides {
            if o.glob.is_match(rel) || o.glob.is_match(listed) {
                return self.by_id(&o.format);
            }
        }
        let head = &data[..data.len().min(SNIFF_BYTES)];
        let mut best: Option<(&dyn Parser, u8)> = None;
        for p in self.parsers() {
            let s = p.sniff(head).0;
            if s > 0 && best.is_none_or(|(_, b)| s > b) {
                best = Some((p, s));
            }
        }
        best.map(|(p, _)| p)
    }
}

/// Inputs smaller than this are parsed whole; larger line inputs are split.
const CHUNK_MIN_BYTES: usize = 8 << 20;

/// Parses a whole input; line formats above [`CHUNK_MIN_BYTES`] are split into line-aligned
/// chunks parsed in parallel and appended in order, which gives the same result as one pass
/// because chunks only start on lines the parser calls independent.
pub fn parse_all(p: &dyn Parser, data: &[u8]) -> Collected {
    parse_chunked(p, data, CHUNK_MIN_BYTES)
}

fn parse_chunked(p: &dyn Parser, data: &[u8], min_bytes: usize) -> Collected {
    let threads = rayon::current_num_threads();
    if !p.line_oriented() || threads < 2 || data.len() < min_bytes {
        return tplus_model::collect(p, data);
    }
    let target = (data.len() / (threads * 4)).max(min_bytes / 2).max(1);
    let mut bounds = vec![0usize];
    let mut pos = target;
    while pos < data.len() {
        // Move to the start of the next line, then on to a line that may start a chunk.
        let Some(nl) = memchr::memchr(b'\n', &data[pos..]) else {
            break;
        };
        let mut start = pos + nl + 1;
        while start < data.len() {
            let end = memchr::memchr(b'\n', &data[start..]).map_or(data.len(), |i| start + i);
            if p.is_chunk_boundary(&data[start..end]) {
                break;
            }
            start = end + 1;
        }
        if start >= data.len() {
            break;
        }
        bounds.push(start);
        pos = start + target;
    }
    bounds.push(data.len());
    let spans: Vec<(usize, usize)> = bounds.windows(2).map(|w| (w[0], w[1])).collect();
    let newlines: Vec<u64> = spans
        .par_iter()
        .map(|&(a, b)| memchr::memchr_iter(b'\n', &data[a..b]).count() as u64)
        .collect();
    let mut first_lines = Vec::with_capacity(spans.len());
    let mut line = 1u64;
    for n in &newlines {
        first_lines.push(line);
        line += n;
    }
    let parts: Vec<Collected> = spans
        .par_iter()
        .zip(first_lines.par_iter())
        .map(|(&(a, b), &first)| {
            let mut c = Collected::default();
            p.parse_chunk(&data[a..b], first, a as u64, &mut c);
            c
        })
        .collect();
    // One allocation of the file's exact size: appending chunk after chunk to an empty vector
    // doubled it several times, each time into fresh memory that the kernel must clear (a
    // 100 MB file's events are about 400 MB).
    let mut all = Collected::default();
    all.events
        .reserve_exact(parts.iter().map(|c| c.events.len()).sum());
    for c in parts {
        all.append(c);
    }
    all
}

#[cfg(test)]
mod tests {
    use super::*;
    use tplus_model::{Event, Family, Location, RecordSink, Sniff, TimeValue};

    /// A line format where an indented line continues the previous event.
    struct Lines;

    impl Parser for Lines {
        fn id(&self) -> &'static str {
            "test.lines"
        }
        fn family(&self) -> Family {
            Family::Auth
        }
        fn describe(&self) -> &'static str {
            "test"
        }
        fn sniff(&self, _: &[u8]) -> Sniff {
            Sniff::WEAK
        }
        fn parse(&self, data: &[u8], sink: &mut dyn RecordSink) {
            self.parse_chunk(data, 1, 0, sink);
        }
        fn line_oriented(&self) -> bool {
            true
        }
        fn parse_chunk(&self, data: &[u8], first_line: u64, base: u64, sink: &mut dyn RecordSink) {
            for l in tplus_model::lines::lines_from(data, first_line, base) {
                let at = Location::line(l.number, l.offset);
                if l.bytes.first() == Some(&b' ') {
                    match sink.previous() {
                        Some(prev) => {
                            prev.message.push_str(&String::from_utf8_lossy(l.bytes));
                            sink.skipped(at, "continuation");
                        }
                        None => sink.error(at, "continuation without a line".to_owned()),
                    }
                } else if l.bytes.is_empty() {
                    sink.skipped(at, "blank");
                } else {
                    let t = TimeValue::Instant(chrono::DateTime::UNIX_EPOCH);
                    sink.event(
                        Event::builder("test.lines", t, "0")
                            .message(String::from_utf8_lossy(l.bytes))
                            .at(at)
                            .build(),
                    );
                }
            }
        }
        fn is_chunk_boundary(&self, line: &[u8]) -> bool {
            line.first() != Some(&b' ')
        }
    }

    #[test]
    fn chunked_parsing_equals_one_pass() {
        let mut data = Vec::new();
        for i in 0..5000 {
            data.extend_from_slice(format!("line {i}\n").as_bytes());
            if i % 3 == 0 {
                data.extend_from_slice(b" continued\n  again\n");
            }
            if i % 7 == 0 {
                data.extend_from_slice(b"\n");
            }
        }
        let whole = tplus_model::collect(&Lines, &data);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(4)
            .build()
            .unwrap();
        let chunked = pool.install(|| parse_chunked(&Lines, &data, 512));
        assert_eq!(chunked.errors, 0);
        assert_eq!(whole.records(), chunked.records());
        assert_eq!(whole.skipped, chunked.skipped);
        let a: Vec<_> = whole
            .events
            .iter()
            .map(|e| (e.message.clone(), e.location))
            .collect();
        let b: Vec<_> = chunked
            .events
            .iter()
            .map(|e| (e.message.clone(), e.location))
            .collect();
        assert_eq!(a, b);
    }
}
