//! `k8s.event`: Kubernetes Events, core/v1 and events.k8s.io/v1, as `kubectl get events -o json`
//! prints them (`{"kind":"List","items":[…]}`), arrays, one object per line, or watch
//! streams (`{"type":"ADDED","object":{…}}`).
//!
//! A repeated event is ONE event: `count` (core/v1 `count`, `series.count`,
//! `deprecatedCount`) goes into [`Event::count`], first and last occurrence are the
//! `first_seen` / `last_seen` attributes. The time is the first occurrence: `eventTime` when
//! set (microseconds, `Event Time`), else `firstTimestamp` / `deprecatedFirstTimestamp`
//! (`First Seen`), else `lastTimestamp` (`Last Seen`, medium: the first occurrence is unknown),
//! else `metadata.creationTimestamp` (`Event Object Created`, medium).
//!
//! Actor = the reporting controller (automation), or the `user` annotation Argo CD puts on its
//! own events. `Warning` events are failures, `Normal` ones successes. Deploy meaning:
//! `ScalingReplicaSet` and `SuccessfulRescale` are [`Tag::Scaled`]; Argo CD's
//! `OperationStarted` / `OperationCompleted` are deploy start / success / failure and
//! "initiated rollback" a rollback.

use serde_json::Value;
use tplus_model::{
    ActorKind, Confidence, Event, Family, Location, Outcome, Parser, RecordSink, Sniff, Tag,
    TimeValue,
};

use crate::common::{bounded, first_record_keys, for_each_record, has};

fn s<'a>(v: &'a Value, path: &str) -> Option<&'a str> {
    v.pointer(path)
        .and_then(Value::as_str)
        .filter(|x| !x.is_empty())
}

fn int(v: &Value, path: &str) -> Option<u64> {
    v.pointer(path).and_then(Value::as_u64)
}

fn stamp<'a>(v: &'a Value, path: &str) -> Result<Option<(&'a str, TimeValue)>, String> {
    match s(v, path) {
        None => Ok(None),
        Some(raw) => tplus_model::time::parse_timestamp(raw)
            .map(|t| Some((raw, t)))
            .map_err(|e| format!("`{}` is not a timestamp: {e}", path.trim_start_matches('/'))),
    }
}

/// Maps one Event object.
fn event(v: &Value, at: Location) -> Result<Event, String> {
    let kind = s(v, "/kind");
    if kind.is_some_and(|k| k != "Event") {
        return Err(format!(
            "not a Kubernetes Event: kind {}",
            kind.unwrap_or_default()
        ));
    }
    if v.get("involvedObject").is_none()
        && v.get("regarding").is_none()
        && v.get("reason").is_none()
    {
        return Err("not a Kubernetes Event: no involvedObject, regarding or reason".to_owned());
    }
    let event_time = stamp(v, "/eventTime")?;
    let first = match stamp(v, "/firstTimestamp")? {
        Some(x) => Some(x),
        None => stamp(v, "/deprecatedFirstTimestamp")?,
    };
    let last = match stamp(v, "/series/lastObservedTime")? {
        Some(x) => Some(x),
        None => match stamp(v, "/lastTimestamp")? {
            Some(x) => Some(x),
            None => stamp(v, "/deprecatedLastTimestamp")?,
        },
    };
    let created = stamp(v, "/metadata/creationTimestamp")?;
    let (raw, t, desc, lowered) = match (event_time, first, last, created) {
        (Some((r, t)), ..) => (r, t, "Event Time", None),
        (None, Some((r, t)), ..) => (r, t, "First Seen", None),
        (None, None, Some((r, t)), _) => (r, t, "Last Seen", Some("no first occurrence time: the last one is used")),
        (None, None, None, Some((r, t))) => {
            (r, t, "Event Object Created", Some("no event time: the Event object's creation time is used"))
        }
        _ => return Err("Kubernetes Event without eventTime, firstTimestamp, lastTimestamp or creationTimestamp".to_owned()),
    };
    let count = int(v, "/series/count")
        .or(int(v, "/count"))
        .or(int(v, "/deprecatedCount"))
        .unwrap_or(1)
        .max(1);
    let obj = if v.get("regarding").is_some_and(Value::is_object) {
        "/regarding"
    } else {
        "/involvedObject"
    };
    let okind = s(v, &format!("{obj}/kind"));
    let ons = s(v, &format!("{obj}/namespace")).or(s(v, "/metadata/namespace"));
    let oname = s(v, &format!("{obj}/name"));
    let target = match (okind, ons, oname) {
        (Some(k), Some(n), Some(m)) => Some(format!("{k}/{n}/{m}")),
        (Some(k), None, Some(m)) => Some(format!("{k}/{m}")),
        (None, _, Some(m)) => Some(m.to_owned()),
        _ => None,
    };
    let reason = s(v, "/reason").unwrap_or("(no reason)");
    let etype = s(v, "/type");
    let note = s(v, "/note").or(s(v, "/message")).unwrap_or_default();
    let controller = s(v, "/reportingController")
        .or(s(v, "/reportingComponent"))
        .or(s(v, "/source/component"))
        .or(s(v, "/deprecatedSource/component"));
    let user = s(v, "/metadata/annotations/user");
    let (actor, actor_kind) = match (user, controller) {
        (Some(u), _) => (Some(u), ActorKind::Unknown),
        (None, Some(c)) => (Some(c), ActorKind::Automation),
        (None, None) => (None, ActorKind::Unknown),
    };
    let host = s(v, "/source/host").or(s(v, "/deprecatedSource/host"));
    let outcome = match etype {
        Some("Warning") => Outcome::Failure,
        Some("Normal") => Outcome::Success,
        _ => Outcome::Unknown,
    };
    let mut msg = format!("{} {reason}", etype.unwrap_or("Event"));
    if let Some(t) = &target {
        msg.push_str(&format!(" {t}"));
    }
    if !note.is_empty() {
        msg.push_str(&format!(": {note}"));
    }
    if count > 1 {
        msg.push_str(&format!(" (x{count}"));
        if let Some((l, _)) = last {
            msg.push_str(&format!(", last {l}"));
        }
        msg.push(')');
    }
    let id = match (s(v, "/metadata/namespace"), s(v, "/metadata/name")) {
        (Some(n), Some(m)) => Some(format!("{n}/{m}")),
        (None, Some(m)) => Some(m.to_owned()),
        _ => s(v, "/metadata/uid").map(str::to_owned),
    };
    let mut b = Event::builder("k8s.event", t, raw)
        .desc(desc)
        .message(bounded(&msg))
        .host(host)
        .actor(actor, actor_kind)
        .action(format!("k8s.event.{reason}"))
        .target(target)
        .outcome(outcome)
        .event_id(id)
        .at(at)
        .attr("reason", reason);
    if let Some(r) = lowered {
        b = b.lower(Confidence::Medium, r);
    }
    for (k, val) in [
        ("type", etype),
        ("uid", s(v, "/metadata/uid")),
        ("object_kind", okind),
        ("object_namespace", ons),
        ("object_name", oname),
        ("field_path", s(v, &format!("{obj}/fieldPath"))),
        ("controller", controller),
        ("reporting_instance", s(v, "/reportingInstance")),
        ("k8s_action", s(v, "/action")),
        ("first_seen", first.map(|x| x.0).or(event_time.map(|x| x.0))),
        ("last_seen", last.map(|x| x.0)),
    ] {
        if let Some(val) = val {
            b = b.attr(k, val);
        }
    }
    if count > 1 {
        b = b.attr("count", count);
    }
    let nl = note.to_ascii_lowercase();
    let sig = match reason {
        "ScalingReplicaSet" | "SuccessfulRescale" => {
            b = b.tag(Tag::Scaled);
            45
        }
        "OperationStarted" => {
            b = b.tag(Tag::DeployStarted);
            if nl.contains("initiated rollback") {
                b = b.tag(Tag::Rollback);
                70
            } else {
                50
            }
        }
        "OperationCompleted" => {
            if nl.contains("failed") {
                b = b.tag(Tag::DeployFailed).outcome(Outcome::Failure);
                65
            } else {
                b = b.tag(Tag::DeploySucceeded);
                55
            }
        }
        "Killing" | "BackOff" | "FailedScheduling" | "Evicted" | "Unhealthy" | "OOMKilling"
        | "NodeNotReady" | "FailedMount" | "Failed" | "FailedCreate" => 40,
        _ if etype == Some("Warning") => 35,
        _ => 10,
    };
    if reason == "OperationStarted" && nl.contains("initiated rollback") {
        b = b.action("k8s.event.OperationStarted.rollback");
    }
    let mut e = b.significance(sig).build();
    e.count = count;
    Ok(e)
}

/// `k8s.event`: Kubernetes Events.
#[derive(Debug, Default, Clone, Copy)]
pub struct KubeEvents;

impl Parser for KubeEvents {
    fn id(&self) -> &'static str {
        "k8s.event"
    }
    fn family(&self) -> Family {
        Family::Deploy
    }
    fn describe(&self) -> &'static str {
        "Kubernetes Events (core/v1 and events.k8s.io/v1; kubectl get events -o json, JSON lines, watch streams)"
    }
    fn sniff(&self, head: &[u8]) -> Sniff {
        let mut k = first_record_keys(head, &["items"]);
        if has(&k, "object") && has(&k, "type") {
            // A watch stream: look inside the object.
            let c = memchr::memmem::find(head, b"\"object\"")
                .map(|i| &head[i + 8..])
                .unwrap_or_default();
            let start = c.iter().position(|b| *b == b'{').unwrap_or(c.len());
            k = crate::common::top_keys(c.get(start..).unwrap_or_default());
        }
        let is_event = memchr::memmem::find(head, b"\"Event\"").is_some();
        if (has(&k, "involvedObject") || has(&k, "regarding")) && has(&k, "reason") {
            Sniff::CERTAIN
        } else if is_event
            && has(&k, "reason")
            && (has(&k, "eventTime") || has(&k, "firstTimestamp"))
        {
            Sniff::STRONG
        } else {
            Sniff::NO
        }
    }
    fn parse(&self, data: &[u8], sink: &mut dyn RecordSink) {
        for_each_record(data, &["items"], sink, |bytes, at, sink| {
            let v: Value = match serde_json::from_slice(bytes) {
                Ok(v) => v,
                Err(e) => return sink.error(at, format!("Kubernetes Event: {e}")),
            };
            let obj = match (v.get("object"), s(&v, "/type")) {
                (Some(o), Some("ADDED" | "MODIFIED" | "DELETED")) => o,
                (Some(_), Some("BOOKMARK" | "ERROR")) => {
                    return sink.skipped(at, "watch stream bookmark or error")
                }
                _ => &v,
            };
            match event(obj, at) {
                Ok(e) => sink.event(e),
                Err(m) => sink.error(at, m),
            }
        });
    }
    fn dedup_by_event_id(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tplus_model::collect;

    #[test]
    fn repeated_events_are_one_event_with_a_count() {
        let doc = r#"{"apiVersion":"v1","kind":"List","items":[
          {"apiVersion":"v1","kind":"Event","metadata":{"name":"api-7d9.17a","namespace":"prod","uid":"e1"},
           "involvedObject":{"kind":"Pod","namespace":"prod","name":"api-7d9"},"reason":"BackOff","message":"Back-off restarting failed container",
           "type":"Warning","source":{"component":"kubelet","host":"node-1"},"firstTimestamp":"2025-03-01T10:00:00Z","lastTimestamp":"2025-03-01T10:20:00Z","count":14,"eventTime":null},
          {"apiVersion":"events.k8s.io/v1","kind":"Event","metadata":{"name":"api.1","namespace":"prod"},"regarding":{"kind":"Deployment","namespace":"prod","name":"api"},
           "reason":"ScalingReplicaSet","note":"Scaled up replica set api-7d9 to 3","type":"Normal","eventTime":"2025-03-01T09:59:58.123456Z",
           "reportingController":"deployment-controller","series":{"count":2,"lastObservedTime":"2025-03-01T10:01:00.000001Z"}},
          {"apiVersion":"v1","kind":"Event","metadata":{"name":"x"},"involvedObject":{"kind":"Pod","name":"p"},"reason":"Pulled"}
        ]}"#;
        let p = KubeEvents;
        assert_eq!(p.sniff(doc.as_bytes()), Sniff::CERTAIN);
        let c = collect(&p, doc.as_bytes());
        assert_eq!((c.records(), c.events.len(), c.errors), (3, 2, 1));
        let e = &c.events[0];
        assert_eq!(e.count, 14);
        assert_eq!(e.ts_raw, "2025-03-01T10:00:00Z");
        assert_eq!(e.timestamp_desc, "First Seen");
        assert_eq!(e.attributes["last_seen"], "2025-03-01T10:20:00Z");
        assert_eq!(e.outcome, Outcome::Failure);
        assert_eq!(e.host.as_deref(), Some("node-1"));
        assert_eq!(e.event_id.as_deref(), Some("prod/api-7d9.17a"));
        let s = &c.events[1];
        assert_eq!(s.ts_raw, "2025-03-01T09:59:58.123456Z");
        assert_eq!(s.timestamp_desc, "Event Time");
        assert!(s.has_tag(Tag::Scaled));
        assert_eq!(s.count, 2);
        assert_eq!(s.actor_kind, ActorKind::Automation);
        assert_eq!(s.target.as_deref(), Some("Deployment/prod/api"));
        assert_eq!(c.error_samples[0].0.record, Some(2));
    }

    #[test]
    fn argo_cd_events_and_watch_streams() {
        let doc = r#"{"type":"ADDED","object":{"kind":"Event","metadata":{"name":"a.1","namespace":"argocd","annotations":{"user":"alice"}},
  "involvedObject":{"kind":"Application","namespace":"argocd","name":"api"},"reason":"OperationStarted","message":"alice initiated rollback to 12",
  "type":"Normal","firstTimestamp":"2025-03-01T10:00:00Z","source":{"component":"argocd-server"}}}
{"type":"BOOKMARK","object":{"kind":"Event","metadata":{"resourceVersion":"9"}}}"#;
        assert_eq!(KubeEvents.sniff(doc.as_bytes()), Sniff::CERTAIN);
        let c = collect(&KubeEvents, doc.as_bytes());
        assert_eq!((c.records(), c.events.len(), c.skipped), (2, 1, 1));
        let e = &c.events[0];
        assert!(e.has_tag(Tag::Rollback) && e.has_tag(Tag::DeployStarted));
        assert_eq!(e.actor.as_deref(), Some("alice"));
    }
}
