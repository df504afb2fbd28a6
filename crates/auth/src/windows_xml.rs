//! Windows Event XML exports (`windows.xml`): `wevtutil qe Security /f:xml` (a bare
//! sequence of `<Event>` elements, no root), Event Viewer "Save All Events As… XML"
//! (`<Events><Event>…</Event></Events>`), PowerShell `$_.ToXml()` and `evtx_dump -o xml`.
//!
//! Records are framed by a byte scan for `<Event` … `</Event>` before any XML is read, so
//! one malformed or truncated record is one located error and the records after it are
//! still read. Each framed record is then read with `quick-xml` into the same
//! [`WinEvent`] the EVTX and JSON shapes build, and mapped by the shared [`map`].

use memchr::memmem;
use quick_xml::events::{BytesRef, BytesStart, Event as XmlEvent};
use quick_xml::Reader;
use tplus_model::{text, Family, Location, Parser, RecordSink, Sniff};

use crate::windows::{map, TimeForm, WinEvent};

/// The namespace every Windows event element carries.
const EVENT_NS: &str = "http://schemas.microsoft.com/win/2004/08/events/event";

/// Why one framed `<Event>` record could not become an event.
#[derive(Debug, thiserror::Error)]
pub(crate) enum XmlRecordError {
    /// The input ended, or the next `<Event` began, before `</Event>`.
    #[error("truncated <Event> element: no </Event> before {0}")]
    Truncated(&'static str),
    /// quick-xml refused the record.
    #[error("malformed XML: {0}")]
    Malformed(String),
    /// An entity other than the five XML ones or a character reference.
    #[error("unknown entity &{0};")]
    UnknownEntity(String),
    /// A required `System` field is missing.
    #[error("no {0}")]
    Missing(&'static str),
    /// `EventID` is not a number.
    #[error("EventID {0:?} not a number")]
    BadEventId(String),
    /// Non-blank text between records that is not the `<Events>` wrapper or a declaration.
    #[error("text outside any <Event> element: {0:?}")]
    Stray(String),
}

impl From<quick_xml::Error> for XmlRecordError {
    fn from(e: quick_xml::Error) -> Self {
        XmlRecordError::Malformed(text::excerpt(&e.to_string(), 200).into_owned())
    }
}

impl From<quick_xml::events::attributes::AttrError> for XmlRecordError {
    fn from(e: quick_xml::events::attributes::AttrError) -> Self {
        XmlRecordError::Malformed(e.to_string())
    }
}

impl From<quick_xml::encoding::EncodingError> for XmlRecordError {
    fn from(e: quick_xml::encoding::EncodingError) -> Self {
        XmlRecordError::Malformed(e.to_string())
    }
}

/// One piece of the input as the framing scan sees it.
#[derive(Debug, PartialEq, Eq)]
enum Frame {
    /// A complete `<Event …>…</Event>` span.
    Record { start: usize, end: usize },
    /// An `<Event` with no `</Event>` before the next `<Event` or the end of input.
    Truncated {
        start: usize,
        end: usize,
        before: &'static str,
    },
    /// Unexpected non-blank text between records.
    Stray { start: usize, end: usize },
}

/// Offset of the next `<Event` start tag at or after `from` (not `<Events`, `<EventData`…).
fn next_start(data: &[u8], from: usize) -> Option<usize> {
    let mut pos = from;
    while let Some(i) = data.get(pos..).and_then(|d| memmem::find(d, b"<Event")) {
        let at = pos + i;
        match data.get(at + 6) {
            Some(b' ' | b'\t' | b'\r' | b'\n' | b'>' | b'/') => return Some(at),
            _ => pos = at + 6,
        }
    }
    None
}

/// Offset just past the next `</Event>` close tag at or after `from`.
fn next_end(data: &[u8], from: usize) -> Option<usize> {
    let mut pos = from;
    while let Some(i) = data.get(pos..).and_then(|d| memmem::find(d, b"</Event")) {
        let mut j = pos + i + 7;
        while matches!(data.get(j), Some(b' ' | b'\t' | b'\r' | b'\n')) {
            j += 1;
        }
        if data.get(j) == Some(&b'>') {
            return Some(j + 1);
        }
        pos = pos + i + 7;
    }
    None
}

/// `evtx_dump -o xml` puts a `Record <n>` line before each record's declaration.
fn strip_record_separator(g: &[u8]) -> Option<&[u8]> {
    let rest = g.strip_prefix(b"Record ")?;
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    (digits > 0).then(|| rest.get(digits..).unwrap_or_default())
}

/// Whether the bytes between two records are only what wraps records: blanks, a BOM, the
/// XML declaration, comments, the `<Events>` root of Event Viewer's export and the
/// `Record <n>` separators of evtx_dump.
fn is_wrapper(gap: &[u8]) -> bool {
    let mut g = gap;
    loop {
        g = g.trim_ascii_start();
        if let Some(rest) = g
            .strip_prefix(b"\xEF\xBB\xBF")
            .or_else(|| strip_record_separator(g))
        {
            g = rest;
            continue;
        }
        if g.is_empty() {
            return true;
        }
        let close: &[u8] = if g.starts_with(b"<?") {
            b"?>"
        } else if g.starts_with(b"<!--") {
            b"-->"
        } else if g.starts_with(b"<Events") || g.starts_with(b"</Events") {
            b">"
        } else {
            return false;
        };
        match memmem::find(g, close) {
            Some(i) => g = &g[i + close.len()..],
            None => return false,
        }
    }
}

/// Splits the input into records, truncated records and stray text, in input order.
fn frames(data: &[u8]) -> Vec<Frame> {
    let mut out = Vec::new();
    let mut pos = 0;
    loop {
        let start = next_start(data, pos);
        let gap_end = start.unwrap_or(data.len());
        if let Some(gap) = data.get(pos..gap_end) {
            if !is_wrapper(gap) {
                let lead = gap.len() - gap.trim_ascii_start().len();
                out.push(Frame::Stray {
                    start: pos + lead,
                    end: gap_end,
                });
            }
        }
        let Some(start) = start else { break };
        let following = next_start(data, start + 6);
        // The close tag is looked for only up to the next start, so a run of unclosed
        // `<Event`s costs one pass, not one pass each.
        let bounded = data.get(..following.unwrap_or(data.len())).unwrap_or(data);
        match (next_end(bounded, start), following) {
            (Some(end), _) => {
                out.push(Frame::Record { start, end });
                pos = end;
            }
            (None, Some(n)) => {
                out.push(Frame::Truncated {
                    start,
                    end: n,
                    before: "the next <Event>",
                });
                pos = n;
            }
            (None, None) => {
                out.push(Frame::Truncated {
                    start,
                    end: data.len(),
                    before: "the end of input",
                });
                pos = data.len();
            }
        }
    }
    out
}

/// Where a record is in the System / EventData / UserData tree, as far as mapping cares.
#[derive(Debug, Default)]
struct Cursor {
    /// Local names of the open elements, `Event` first.
    path: Vec<Vec<u8>>,
    /// The `Name` attribute of the open `EventData/Data`, if any.
    data_name: Option<String>,
    /// Text collected since the last start tag.
    text: String,
    /// How many unnamed `Data` elements were seen, for their `property_N` names.
    unnamed: usize,
}

impl Cursor {
    fn at(&self, names: &[&[u8]]) -> bool {
        self.path.len() == names.len() && self.path.iter().zip(names).all(|(a, b)| a == b)
    }
}

/// Decodes an entity reference: the five XML entities and character references only,
/// since Windows exports declare no others.
fn resolve_ref(r: &BytesRef<'_>) -> Result<String, XmlRecordError> {
    if let Some(c) = r.resolve_char_ref()? {
        return Ok(c.to_string());
    }
    let name = r.decode()?;
    quick_xml::escape::resolve_predefined_entity(&name)
        .map(str::to_owned)
        .ok_or_else(|| XmlRecordError::UnknownEntity(text::excerpt(&name, 40).into_owned()))
}

/// The unescaped value of attribute `key`, if present.
fn attr(e: &BytesStart<'_>, key: &[u8]) -> Result<Option<String>, XmlRecordError> {
    for a in e.attributes() {
        let a = a?;
        if a.key.local_name().as_ref() == key {
            return Ok(Some(a.unescape_value()?.into_owned()));
        }
    }
    Ok(None)
}

/// Takes what a start tag says: `Provider@Name`, `TimeCreated@SystemTime`, `Data@Name`.
fn on_start(
    e: &BytesStart<'_>,
    cur: &mut Cursor,
    w: &mut WinEvent,
    time: &mut Option<String>,
) -> Result<(), XmlRecordError> {
    cur.path.push(e.local_name().as_ref().to_vec());
    cur.text.clear();
    if cur.at(&[b"Event", b"System", b"Provider"]) {
        w.provider = attr(e, b"Name")?.unwrap_or_default();
    } else if cur.at(&[b"Event", b"System", b"TimeCreated"]) {
        *time = attr(e, b"SystemTime")?;
    } else if cur.at(&[b"Event", b"EventData", b"Data"]) {
        cur.data_name = attr(e, b"Name")?;
    }
    Ok(())
}

/// Files the text of the element being closed where the mapping wants it.
fn on_end(cur: &mut Cursor, w: &mut WinEvent, id: &mut Option<String>) {
    let text = std::mem::take(&mut cur.text);
    let p: Vec<&[u8]> = cur.path.iter().map(Vec::as_slice).collect();
    match p.as_slice() {
        [b"Event", b"System", field] => {
            let v = text.trim().to_owned();
            match *field {
                b"EventID" => *id = Some(v),
                b"EventRecordID" => w.record_id = v,
                b"Computer" => w.computer = v,
                b"Channel" => w.channel = v,
                b"Keywords" => w.keywords = v,
                _ => {}
            }
        }
        [b"Event", b"EventData", b"Data"] => {
            let name = cur.data_name.take().unwrap_or_else(|| {
                cur.unnamed += 1;
                format!("property_{}", cur.unnamed - 1)
            });
            w.data.insert(name, text);
        }
        // UserData nests one element per event type (`LogFileCleared` for 1102).
        [b"Event", b"UserData", _, field] => {
            w.data
                .insert(String::from_utf8_lossy(field).into_owned(), text);
        }
        [b"Event", b"RenderingInfo", b"Message"] => w.message = Some(text),
        _ => {}
    }
    cur.path.pop();
}

/// Reads one framed `<Event>` element into a [`WinEvent`].
fn read_event(xml: &[u8]) -> Result<WinEvent, XmlRecordError> {
    let mut reader = Reader::from_reader(xml);
    let cfg = reader.config_mut();
    cfg.expand_empty_elements = true;
    cfg.check_end_names = true;
    let mut w = WinEvent {
        time_form: TimeForm::SystemTime,
        ..WinEvent::default()
    };
    let mut cur = Cursor::default();
    let (mut id, mut time) = (None, None);
    loop {
        match reader.read_event()? {
            XmlEvent::Start(e) => on_start(&e, &mut cur, &mut w, &mut time)?,
            XmlEvent::End(_) => {
                on_end(&mut cur, &mut w, &mut id);
                if cur.path.is_empty() {
                    break;
                }
            }
            XmlEvent::Text(t) => cur.text.push_str(&t.xml_content()?),
            XmlEvent::CData(t) => cur.text.push_str(&t.decode()?),
            XmlEvent::GeneralRef(r) => cur.text.push_str(&resolve_ref(&r)?),
            XmlEvent::Eof => return Err(XmlRecordError::Truncated("the end of the record")),
            _ => {}
        }
    }
    let id = id.ok_or(XmlRecordError::Missing("EventID"))?;
    w.id = id
        .parse()
        .map_err(|_| XmlRecordError::BadEventId(text::excerpt(&id, 40).into_owned()))?;
    w.time = time.ok_or(XmlRecordError::Missing("TimeCreated@SystemTime"))?;
    Ok(w)
}

/// Counts lines incrementally so each record's line costs only the bytes since the last.
#[derive(Debug)]
struct LineCounter {
    offset: usize,
    line: u64,
}

impl LineCounter {
    fn line_at(&mut self, data: &[u8], offset: usize) -> u64 {
        if let Some(chunk) = data.get(self.offset..offset) {
            self.line += memchr::memchr_iter(b'\n', chunk).count() as u64;
            self.offset = offset;
        }
        self.line
    }
}

/// Windows Event XML parser (`windows.xml`).
#[derive(Debug, Default)]
pub struct WindowsXml;

impl Parser for WindowsXml {
    fn id(&self) -> &'static str {
        "windows.xml"
    }
    fn family(&self) -> Family {
        Family::Auth
    }
    fn describe(&self) -> &'static str {
        "Windows events as XML (wevtutil /f:xml, Event Viewer Save As XML, ToXml(), evtx_dump -o xml)"
    }
    fn sniff(&self, head: &[u8]) -> Sniff {
        let head = crate::utf16::sniff_view(head);
        let has = |n: &str| memmem::find(&head, n.as_bytes()).is_some();
        if has("<Event ") && has(EVENT_NS) {
            Sniff::CERTAIN
        } else if has("<Events>") && (has("<Event>") || has("<EventID")) {
            Sniff::STRONG
        } else {
            Sniff::NO
        }
    }
    fn parse(&self, data: &[u8], sink: &mut dyn RecordSink) {
        crate::utf16::parse_any(data, sink, &parse_utf8);
    }
}

/// Parses UTF-8 (or ASCII-compatible) XML: frames the records, then reads each one.
fn parse_utf8(data: &[u8], sink: &mut dyn RecordSink) {
    let mut lines = LineCounter { offset: 0, line: 1 };
    for (idx, frame) in (0u64..).zip(frames(data)) {
        let start = match frame {
            Frame::Record { start, .. }
            | Frame::Truncated { start, .. }
            | Frame::Stray { start, .. } => start,
        };
        let loc = Location::line_record(lines.line_at(data, start), idx, start as u64);
        let result = match frame {
            Frame::Record { start, end } => data
                .get(start..end)
                .ok_or(XmlRecordError::Truncated("the end of input"))
                .and_then(read_event)
                .map_err(|e| e.to_string())
                .and_then(|w| map(&w, "windows.xml", loc, sink)),
            Frame::Truncated { before, .. } => Err(XmlRecordError::Truncated(before).to_string()),
            Frame::Stray { start, end } => {
                let t = text::lossy(data.get(start..end).unwrap_or_default());
                Err(XmlRecordError::Stray(text::excerpt(t.trim(), 80).into_owned()).to_string())
            }
        };
        match result {
            Ok(e) => sink.event(e),
            Err(m) => sink.error(loc, m),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tplus_model::{collect, Outcome};

    fn ev(id: u32, rec: u32, data: &str) -> String {
        format!(
            r#"<Event xmlns="{EVENT_NS}"><System><Provider Name="Microsoft-Windows-Security-Auditing"/><EventID>{id}</EventID><Keywords>0x8020000000000000</Keywords><TimeCreated SystemTime="2024-01-02T03:04:05.1234567Z"/><EventRecordID>{rec}</EventRecordID><Channel>Security</Channel><Computer>WS1.corp.local</Computer></System><EventData>{data}</EventData></Event>"#
        )
    }

    #[test]
    fn framing_finds_records_truncations_and_stray_text() {
        let doc = b"<?xml version=\"1.0\"?><Events><Event a><EventID/></Event>junk<Event b><Event c></Event ></Events><Event d";
        let f = frames(doc);
        assert_eq!(f.len(), 5, "{f:?}");
        assert!(matches!(f[0], Frame::Record { .. }));
        assert!(matches!(f[1], Frame::Stray { .. }));
        assert!(matches!(f[2], Frame::Truncated { .. }));
        assert!(matches!(f[3], Frame::Record { .. }));
        assert!(matches!(f[4], Frame::Truncated { .. }));
    }

    #[test]
    fn entities_are_decoded_and_hostile_text_kept_raw() {
        let x = ev(
            4625,
            9,
            r#"<Data Name="TargetUserName">&lt;script&gt;x&amp;y&#x41;&#66;</Data><Data Name="LogonType">3</Data>"#,
        );
        let c = collect(&WindowsXml, x.as_bytes());
        assert_eq!((c.events.len(), c.errors), (1, 0), "{:?}", c.error_samples);
        assert_eq!(c.events[0].actor.as_deref(), Some("<script>x&yAB"));
        assert_eq!(c.events[0].outcome, Outcome::Failure);
    }

    #[test]
    fn unknown_entity_is_an_error_for_that_record_only() {
        let x = format!(
            "{}\n{}\n",
            ev(4624, 1, r#"<Data Name="TargetUserName">&bogus;</Data>"#),
            ev(4624, 2, r#"<Data Name="TargetUserName">ok</Data>"#)
        );
        let c = collect(&WindowsXml, x.as_bytes());
        assert_eq!((c.records(), c.events.len(), c.errors), (2, 1, 1));
        assert!(c.error_samples[0].1.contains("bogus"));
        assert_eq!(c.error_samples[0].0.line, Some(1));
        assert_eq!(c.events[0].location.line, Some(2));
    }

    #[test]
    fn zoneless_system_time_is_utc() {
        let x = ev(4634, 3, "").replace("05.1234567Z", "05.1234567");
        let c = collect(&WindowsXml, x.as_bytes());
        assert_eq!(c.events.len(), 1, "{:?}", c.error_samples);
        let tplus_model::TimeValue::Instant(t) = c.events[0].time else {
            panic!("not an instant");
        };
        assert_eq!(t.to_rfc3339(), "2024-01-02T03:04:05.123456700+00:00");
    }

    const WEVTUTIL: &[u8] = include_bytes!("../../../fixtures/auth/windows/wevtutil_security.xml");
    const SAVED: &[u8] = include_bytes!("../../../fixtures/auth/windows/eventviewer_saved.xml");

    #[test]
    fn wevtutil_fixture_counts_and_bad_records() {
        let c = collect(&WindowsXml, WEVTUTIL);
        assert_eq!(
            (c.records(), c.events.len(), c.skipped, c.errors),
            (9, 6, 0, 3),
            "{:?}",
            c.error_samples
        );
        let msgs: Vec<&str> = c.error_samples.iter().map(|(_, m)| m.as_str()).collect();
        assert!(msgs[0].contains("no TimeCreated@SystemTime"), "{msgs:?}");
        assert!(msgs[1].contains("malformed XML"), "{msgs:?}");
        assert!(msgs[2].contains("truncated"), "{msgs:?}");
        // One record a line: the location names the line, the record and the `<Event` byte.
        let (loc, _) = c.error_samples[2];
        assert_eq!((loc.line, loc.record), (Some(9), Some(8)));
        assert_eq!(
            WEVTUTIL.get(loc.offset as usize..loc.offset as usize + 6),
            Some(&b"<Event"[..])
        );
    }

    #[test]
    fn hostile_text_survives_decoding_unchanged() {
        let c = collect(&WindowsXml, WEVTUTIL);
        let ansi = &c.events[2];
        assert_eq!(ansi.actor.as_deref(), Some(".\\adm\u{1b}[31min\u{1b}[0m"));
        assert_eq!(ansi.src_ip.as_deref(), Some("203.0.113.50"));
        let cmd = c.events[3]
            .attributes
            .get("command_line")
            .and_then(|v| v.as_str());
        assert_eq!(
            cmd,
            Some(r#"cmd.exe /c echo =HYPERLINK("http://evil.invalid/?q=1&r=2","open") > C:\x.csv"#)
        );
        assert_eq!(
            c.events[4].target.as_deref(),
            Some("CORP\\<script>alert(1)</script>")
        );
        let cleared = &c.events[5];
        assert_eq!(cleared.action.as_deref(), Some("windows.log_cleared"));
        assert_eq!(cleared.actor.as_deref(), Some("CORP\\jdoe"));
    }

    #[test]
    fn event_viewer_export_uses_the_rendered_message() {
        assert_eq!(WindowsXml.sniff(SAVED), Sniff::CERTAIN);
        let c = collect(&WindowsXml, SAVED);
        assert_eq!(
            (c.records(), c.events.len(), c.errors),
            (2, 2, 0),
            "{:?}",
            c.error_samples
        );
        let e = &c.events[0];
        assert!(e.message.starts_with("An account failed to log on."));
        assert!(e.message.contains("\tAccount Name:\t\tJcDfcZTc"));
        let summary = e
            .attributes
            .get("summary")
            .and_then(|v| v.as_str())
            .unwrap_or("");
        assert!(summary.contains("user name does not exist"), "{summary}");
        // RenderingInfo has its own Keywords: the System ones must win.
        assert_eq!(e.outcome, Outcome::Failure);
        assert!(c.events[1].message.contains("Administrator & co <b>"));
        assert_eq!(c.events[0].location.line, Some(3));
        assert_eq!(c.events[1].location.line, Some(74));
    }

    #[test]
    fn evtx_dump_xml_separators_are_not_records() {
        let one = ev(4634, 1, "");
        let x = format!(
            "Record 1\n<?xml version=\"1.0\" encoding=\"utf-8\"?>\n{one}\nRecord 2\n<?xml version=\"1.0\" encoding=\"utf-8\"?>\n{one}\nRecord x\n"
        );
        let c = collect(&WindowsXml, x.as_bytes());
        assert_eq!((c.records(), c.events.len(), c.errors), (3, 2, 1));
        assert_eq!(c.events[1].location.line, Some(6));
        assert!(c.error_samples[0].1.contains("Record x"));
    }

    #[test]
    fn records_back_to_back_on_one_line() {
        let one = ev(4634, 1, r#"<Data Name="TargetUserName">a</Data>"#);
        let x = format!(
            "{one}{one}{}",
            one.replace("<EventID>4634", "<EventID>46x4")
        );
        let c = collect(&WindowsXml, x.as_bytes());
        assert_eq!((c.records(), c.events.len(), c.errors), (3, 2, 1));
        assert_eq!(c.events[1].location.offset, one.len() as u64);
        assert!(c.error_samples[0].1.contains("not a number"));
    }

    #[test]
    fn utf16_export_reads_the_same_with_offsets_into_the_original() {
        let mut data = vec![0xFF, 0xFE];
        let text = String::from_utf8_lossy(WEVTUTIL);
        data.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(WindowsXml.sniff(&data[..4096]), Sniff::CERTAIN);
        let plain = collect(&WindowsXml, WEVTUTIL);
        let c = collect(&WindowsXml, &data);
        assert_eq!(
            (c.events.len(), c.errors),
            (plain.events.len(), plain.errors)
        );
        for (a, b) in c.events.iter().zip(&plain.events) {
            assert_eq!(
                (&a.actor, &a.event_id, a.location.line),
                (&b.actor, &b.event_id, b.location.line)
            );
            let at = a.location.offset as usize;
            assert_eq!(data.get(at..at + 4), Some(&[b'<', 0, b'E', 0][..]));
        }
    }

    #[test]
    fn sniff_scores() {
        assert_eq!(WindowsXml.sniff(ev(1, 1, "").as_bytes()), Sniff::CERTAIN);
        assert_eq!(
            WindowsXml.sniff(b"<Events><Event><System><EventID>1</EventID>"),
            Sniff::STRONG
        );
        assert_eq!(WindowsXml.sniff(b"{\"Event\":{}}"), Sniff::NO);
    }
}
