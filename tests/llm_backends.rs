//! The HTTP backend against a recorded-exchange server on loopback (answers scripted per
//! request: a stream, a 500, a 429, silence, a malformed stream), and the command backend
//! against shell scripts.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use stforge::diagnostics::Code;
use stforge::llm::command::CommandBackend;
use stforge::llm::http::{Endpoint, GrammarField, HttpBackend, HttpOptions};
use stforge::llm::{Backend, Finish, Request};

/// One scripted answer.
#[derive(Clone)]
enum Answer {
    /// HTTP 200 with these raw server-sent-event lines.
    Stream(Vec<String>),
    Status(u16, &'static str),
    /// Read the request, then say nothing for this long.
    Silence(Duration),
}

/// What the server saw of one request.
#[derive(Clone, Debug)]
struct Seen {
    head: String,
    body: String,
}

/// A server on 127.0.0.1 that gives the scripted answers in order, one per connection.
fn server(answers: Vec<Answer>) -> (String, Arc<Mutex<Vec<Seen>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for answer in answers {
            let Ok((stream, _)) = listener.accept() else {
                return;
            };
            let request = read_request(&stream);
            log.lock().unwrap().push(request);
            respond(stream, answer);
        }
    });
    (url, seen)
}

fn read_request(stream: &TcpStream) -> Seen {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut head = String::new();
    let mut length = 0;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        if line == "\r\n" || line.is_empty() {
            break;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = v.trim().parse().unwrap();
        }
        head.push_str(&line);
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    Seen {
        head,
        body: String::from_utf8(body).unwrap(),
    }
}

fn respond(mut stream: TcpStream, answer: Answer) {
    match answer {
        Answer::Stream(lines) => {
            let mut body = String::new();
            for line in lines {
                body.push_str(&line);
                body.push_str("\n\n");
            }
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
        Answer::Status(code, extra) => {
            let body = format!("{{\"error\":\"scripted {code}\"}}");
            let _ = write!(
                stream,
                "HTTP/1.1 {code} Scripted\r\n{extra}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
        Answer::Silence(d) => std::thread::sleep(d),
    }
}

fn chunk(text: &str, finish: Option<&str>) -> String {
    let finish = finish.map_or("null".to_string(), |f| format!("\"{f}\""));
    format!(
        "data: {{\"choices\":[{{\"index\":0,\"text\":{},\"finish_reason\":{finish}}}]}}",
        serde_json::to_string(text).unwrap()
    )
}

fn good_stream() -> Answer {
    Answer::Stream(vec![
        chunk("    Motor := ", None),
        chunk("TRUE;\n", None),
        chunk("END_FUNCTION_BLOCK", Some("stop")),
        "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":17,\"completion_tokens\":5}}".into(),
        "data: [DONE]".into(),
    ])
}

fn options(url: &str) -> HttpOptions {
    let mut o = HttpOptions::new(url, "test-model");
    o.backoff = Duration::from_millis(10);
    o.connect_timeout = Duration::from_millis(500);
    o.read_timeout = Duration::from_millis(500);
    o.retries = 2;
    o.api_key_env = "STFORGE_TEST_KEY_THAT_IS_UNSET".into();
    o
}

fn request() -> Request<'static> {
    Request {
        prompt: "FUNCTION_BLOCK M\n",
        grammar: Some("start: \"x\""),
        max_tokens: 64,
        temperature: 0.0,
        seed: 7,
        stop_after: None,
    }
}

#[test]
fn a_stream_is_read_with_its_usage_and_the_request_carries_the_settings() {
    let (url, seen) = server(vec![good_stream()]);
    let mut o = options(&url);
    o.grammar_field = GrammarField::LlamaServer;
    let mut backend = HttpBackend::new(o);
    let mut pieces = Vec::new();
    let c = backend
        .complete(&request(), &mut |p| pieces.push(p.to_string()))
        .unwrap();
    assert_eq!(c.text, "    Motor := TRUE;\nEND_FUNCTION_BLOCK");
    assert_eq!(pieces.len(), 3);
    assert_eq!((c.prompt_tokens, c.completion_tokens), (17, 5));
    assert_eq!(c.finish, Finish::Stop);
    let seen = seen.lock().unwrap();
    assert!(
        seen[0].head.starts_with("POST /v1/completions HTTP/1.1"),
        "{}",
        seen[0].head
    );
    let body: serde_json::Value = serde_json::from_str(&seen[0].body).unwrap();
    assert_eq!(body["prompt"], "FUNCTION_BLOCK M\n");
    assert_eq!(body["seed"], 7);
    assert_eq!(body["max_tokens"], 64);
    assert_eq!(body["stream"], true);
    assert_eq!(body["grammar"], "start: \"x\"");
    assert!(!seen[0].head.to_ascii_lowercase().contains("authorization"));
}

#[test]
fn the_chat_endpoint_reads_deltas_and_the_key_comes_from_the_environment() {
    let (url, seen) = server(vec![Answer::Stream(vec![
        "data: {\"choices\":[{\"delta\":{\"role\":\"assistant\"}}]}".into(),
        "data: {\"choices\":[{\"delta\":{\"content\":\"x := 1;\"},\"finish_reason\":\"length\"}]}"
            .into(),
        "data: [DONE]".into(),
    ])]);
    let mut o = options(&url);
    o.endpoint = Endpoint::Chat;
    o.api_key_env = "STFORGE_TEST_KEY_CHAT".into();
    // SAFETY: set before any thread of this test reads the environment; the name is unique.
    unsafe { std::env::set_var("STFORGE_TEST_KEY_CHAT", "sk-secret-123") };
    let mut backend = HttpBackend::new(o);
    let c = backend.complete(&request(), &mut |_| {}).unwrap();
    assert_eq!(c.text, "x := 1;");
    assert_eq!(c.finish, Finish::Length);
    let seen = seen.lock().unwrap();
    assert!(seen[0].head.starts_with("POST /v1/chat/completions"));
    assert!(
        seen[0].head.contains("Bearer sk-secret-123"),
        "{}",
        seen[0].head
    );
    let body: serde_json::Value = serde_json::from_str(&seen[0].body).unwrap();
    assert_eq!(body["messages"][0]["content"], "FUNCTION_BLOCK M\n");
    // Without grammar support configured, the grammar is not sent.
    assert!(body.get("grammar").is_none());
    assert!(!backend.describe().contains("sk-secret"));
}

#[test]
fn a_500_then_a_429_are_retried_with_backoff() {
    let (url, seen) = server(vec![
        Answer::Status(500, ""),
        Answer::Status(429, "Retry-After: 0\r\n"),
        good_stream(),
    ]);
    let mut backend = HttpBackend::new(options(&url));
    let c = backend.complete(&request(), &mut |_| {}).unwrap();
    assert_eq!(c.text, "    Motor := TRUE;\nEND_FUNCTION_BLOCK");
    assert_eq!(seen.lock().unwrap().len(), 3);
}

#[test]
fn a_500_that_persists_is_g004_after_the_retries() {
    let (url, seen) = server(vec![Answer::Status(500, ""); 3]);
    let mut backend = HttpBackend::new(options(&url));
    let e = backend.complete(&request(), &mut |_| {}).unwrap_err();
    assert_eq!(e.code, Code::G004);
    assert!(e.message.contains("HTTP 500"), "{}", e.message);
    assert!(e.message.contains("after 2 retries"), "{}", e.message);
    assert_eq!(seen.lock().unwrap().len(), 3);
}

#[test]
fn a_400_is_not_retried() {
    let (url, seen) = server(vec![Answer::Status(400, ""), good_stream()]);
    let mut backend = HttpBackend::new(options(&url));
    let e = backend.complete(&request(), &mut |_| {}).unwrap_err();
    assert_eq!(e.code, Code::G004);
    assert!(e.message.contains("HTTP 400"), "{}", e.message);
    assert_eq!(seen.lock().unwrap().len(), 1);
}

#[test]
fn a_silent_server_times_out() {
    let (url, _) = server(vec![Answer::Silence(Duration::from_secs(5))]);
    let mut o = options(&url);
    o.retries = 0;
    let mut backend = HttpBackend::new(o);
    let started = Instant::now();
    let e = backend.complete(&request(), &mut |_| {}).unwrap_err();
    assert_eq!(e.code, Code::G004);
    assert!(e.message.contains("timeout"), "{}", e.message);
    assert!(started.elapsed() < Duration::from_secs(4));
}

#[test]
fn a_malformed_stream_is_g004() {
    let (url, _) = server(vec![Answer::Stream(vec![
        chunk("x", None),
        "data: {not json".into(),
    ])]);
    let mut backend = HttpBackend::new(options(&url));
    let e = backend.complete(&request(), &mut |_| {}).unwrap_err();
    assert_eq!(e.code, Code::G004);
    assert!(e.message.starts_with("malformed stream"), "{}", e.message);

    let (url, _) = server(vec![Answer::Stream(vec![chunk("x", None)])]);
    let mut backend = HttpBackend::new(options(&url));
    let e = backend.complete(&request(), &mut |_| {}).unwrap_err();
    assert!(e.message.contains("ended without"), "{}", e.message);
}

#[test]
fn an_unreachable_server_is_g004() {
    // A port that was just free: nothing listens there.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut o = options(&format!("http://127.0.0.1:{port}"));
    o.retries = 1;
    let mut backend = HttpBackend::new(o);
    let e = backend.complete(&request(), &mut |_| {}).unwrap_err();
    assert_eq!(e.code, Code::G004);
    assert!(e.message.contains("could not be reached"), "{}", e.message);
}

fn script(body: &str) -> String {
    body.to_string()
}

#[test]
fn the_command_backend_gets_the_prompt_and_settings_and_streams_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let seen = dir.path().join("seen");
    let cmd = script(&format!(
        "cat > '{}'; echo \"seed=$STFORGE_SEED max=$STFORGE_MAX_TOKENS grammar=$(head -c 5 \"$STFORGE_GRAMMAR\")\" >> '{}'; printf '    Motor := TRUE;\\nEND_FUNCTION_BLOCK'",
        seen.display(),
        seen.display()
    ));
    let mut backend = CommandBackend::new(&cmd, Duration::from_secs(20));
    let mut streamed = String::new();
    let c = backend
        .complete(&request(), &mut |p| streamed.push_str(p))
        .unwrap();
    assert_eq!(c.text, "    Motor := TRUE;\nEND_FUNCTION_BLOCK");
    assert_eq!(streamed, c.text);
    let seen = std::fs::read_to_string(seen).unwrap();
    assert_eq!(seen, "FUNCTION_BLOCK M\nseed=7 max=64 grammar=start\n");
}

#[test]
fn a_failing_command_is_g006_with_its_last_error_line() {
    let mut backend = CommandBackend::new(
        "cat >/dev/null; echo 'no model here' >&2; exit 3",
        Duration::from_secs(20),
    );
    let e = backend.complete(&request(), &mut |_| {}).unwrap_err();
    assert_eq!(e.code, Code::G006);
    assert!(
        e.message.contains("status 3: no model here"),
        "{}",
        e.message
    );
}

#[test]
fn a_slow_command_is_killed_at_its_timeout() {
    let mut backend = CommandBackend::new("sleep 30", Duration::from_millis(300));
    let started = Instant::now();
    let e = backend.complete(&request(), &mut |_| {}).unwrap_err();
    assert_eq!(e.code, Code::G006);
    assert!(e.message.contains("within 0.3 s"), "{}", e.message);
    assert!(started.elapsed() < Duration::from_secs(5));
}
