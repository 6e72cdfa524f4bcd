//! TSIG keys in BIND's `key "NAME" { algorithm ...; secret "..."; };` format, the one
//! `tsig-keygen` prints and `named.conf` includes, so a site admin hands ike the same file.

use std::fmt;
use std::path::Path;

use base64::Engine as _;

use super::Error;

/// How `tsig-keygen` is asked for a key ike can use; quoted in every parse error.
const HINT: &str = "'tsig-keygen -a hmac-sha256 NAME' prints a valid key";

/// A TSIG algorithm ike can sign with (the HMACs ring implements).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Algorithm {
    /// hmac-sha256, what `tsig-keygen` makes by default.
    HmacSha256,
    /// hmac-sha384.
    HmacSha384,
    /// hmac-sha512.
    HmacSha512,
}

impl Algorithm {
    /// The name BIND and RFC 8945 use, e.g. `hmac-sha256`.
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::HmacSha256 => "hmac-sha256",
            Algorithm::HmacSha384 => "hmac-sha384",
            Algorithm::HmacSha512 => "hmac-sha512",
        }
    }

    fn from_name(name: &str) -> Option<Algorithm> {
        [
            Algorithm::HmacSha256,
            Algorithm::HmacSha384,
            Algorithm::HmacSha512,
        ]
        .into_iter()
        .find(|a| a.name().eq_ignore_ascii_case(name))
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A shared secret that signs DNS messages (RFC 8945). `Debug` does not show the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct TsigKey {
    /// The key's name, as the server knows it (e.g. `ike-office`).
    pub name: String,
    /// The MAC algorithm.
    pub algorithm: Algorithm,
    secret: Vec<u8>,
}

impl fmt::Debug for TsigKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TsigKey")
            .field("name", &self.name)
            .field("algorithm", &self.algorithm)
            .field("secret", &format_args!("<{} bytes>", self.secret.len()))
            .finish()
    }
}

impl TsigKey {
    /// A key from its parts; Err if the secret is empty.
    pub fn new(name: &str, algorithm: Algorithm, secret: Vec<u8>) -> Result<TsigKey, Error> {
        if secret.is_empty() {
            return Err(bad_key(format!("key {name:?} has an empty secret")));
        }
        Ok(TsigKey {
            name: name.trim_end_matches('.').to_string(),
            algorithm,
            secret,
        })
    }

    /// The secret's bytes (decoded from base64).
    pub fn secret(&self) -> &[u8] {
        &self.secret
    }

    /// Reads a key file written by `tsig-keygen` (exactly one `key` clause).
    pub fn from_file(path: &Path) -> Result<TsigKey, Error> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::ReadKey {
            path: path.to_path_buf(),
            source,
        })?;
        TsigKey::parse(&text).map_err(|e| match e {
            Error::BadKey { problem } => Error::BadKey {
                problem: format!("{}: {problem}", path.display()),
            },
            other => other,
        })
    }

    /// Parses BIND's key syntax: one `key NAME { algorithm ALG; secret "BASE64"; };` clause.
    /// Comments (`#`, `//`, `/* */`) are allowed; other statements in the clause are ignored.
    pub fn parse(text: &str) -> Result<TsigKey, Error> {
        let tokens = tokenize(text)?;
        let mut tokens = tokens.iter().peekable();
        let mut keys = Vec::new();
        while let Some(token) = tokens.next() {
            match token {
                Token::Word(w, _) if w == "key" => {}
                other => return Err(unexpected(other, "'key'")),
            }
            let name = match tokens.next() {
                Some(Token::Word(w, _) | Token::Quoted(w, _)) => w.clone(),
                other => return Err(unexpected_or_end(other, "the key's name")),
            };
            expect(tokens.next(), Token::is_open, "'{' after the key's name")?;
            let (mut algorithm, mut secret) = (None, None);
            loop {
                match tokens.next() {
                    Some(Token::Close(_)) => break,
                    Some(Token::Word(w, line)) if w == "algorithm" => {
                        let value = value(tokens.next(), "the algorithm")?;
                        algorithm = Some(Algorithm::from_name(&value).ok_or_else(|| {
                            bad_key(format!(
                                "line {line}: algorithm {value:?} is not supported (use \
                                 hmac-sha256, hmac-sha384 or hmac-sha512; {HINT})"
                            ))
                        })?);
                    }
                    Some(Token::Word(w, _)) if w == "secret" => {
                        secret = Some(value(tokens.next(), "the secret")?);
                    }
                    // Some other statement: skip it up to its ';'.
                    Some(Token::Word(..) | Token::Quoted(..)) => {
                        while !matches!(tokens.next(), Some(Token::Semi(_)) | None) {}
                        continue;
                    }
                    other => return Err(unexpected_or_end(other, "a statement or '}'")),
                }
                expect(tokens.next(), Token::is_semi, "';' after the value")?;
            }
            expect(tokens.next(), Token::is_semi, "';' after '}'")?;
            let algorithm = algorithm
                .ok_or_else(|| bad_key(format!("key {name:?} has no algorithm; {HINT}")))?;
            let secret =
                secret.ok_or_else(|| bad_key(format!("key {name:?} has no secret; {HINT}")))?;
            let compact: String = secret.split_whitespace().collect();
            let secret = base64::engine::general_purpose::STANDARD
                .decode(compact.as_bytes())
                .map_err(|e| {
                    bad_key(format!(
                        "the secret of key {name:?} is not base64 ({e}); {HINT}"
                    ))
                })?;
            keys.push(TsigKey::new(&name, algorithm, secret)?);
        }
        match keys.len() {
            0 => Err(bad_key(format!("no key clause found; {HINT}"))),
            1 => Ok(keys.remove(0)),
            n => Err(bad_key(format!(
                "{n} key clauses found; give ike a file with exactly one"
            ))),
        }
    }
}

fn bad_key(problem: String) -> Error {
    Error::BadKey { problem }
}

/// A token and the line it starts on.
#[derive(Debug)]
enum Token {
    Word(String, usize),
    Quoted(String, usize),
    Open(usize),
    Close(usize),
    Semi(usize),
}

impl Token {
    fn is_open(&self) -> bool {
        matches!(self, Token::Open(_))
    }

    fn is_semi(&self) -> bool {
        matches!(self, Token::Semi(_))
    }

    fn describe(&self) -> String {
        match self {
            Token::Word(w, line) => format!("line {line}: found {w:?}"),
            Token::Quoted(w, line) => format!("line {line}: found \"{w}\""),
            Token::Open(line) => format!("line {line}: found '{{'"),
            Token::Close(line) => format!("line {line}: found '}}'"),
            Token::Semi(line) => format!("line {line}: found ';'"),
        }
    }
}

fn unexpected(token: &Token, expected: &str) -> Error {
    bad_key(format!(
        "{} where {expected} belongs; {HINT}",
        token.describe()
    ))
}

fn unexpected_or_end(token: Option<&Token>, expected: &str) -> Error {
    match token {
        Some(token) => unexpected(token, expected),
        None => bad_key(format!("the text ends where {expected} belongs; {HINT}")),
    }
}

fn expect(token: Option<&Token>, want: fn(&Token) -> bool, expected: &str) -> Result<(), Error> {
    match token {
        Some(t) if want(t) => Ok(()),
        other => Err(unexpected_or_end(other, expected)),
    }
}

fn value(token: Option<&Token>, what: &str) -> Result<String, Error> {
    match token {
        Some(Token::Word(w, _) | Token::Quoted(w, _)) => Ok(w.clone()),
        other => Err(unexpected_or_end(other, what)),
    }
}

fn tokenize(text: &str) -> Result<Vec<Token>, Error> {
    let mut tokens = Vec::new();
    let mut chars = text.chars().peekable();
    let mut line = 1;
    while let Some(c) = chars.next() {
        match c {
            '\n' => line += 1,
            c if c.is_whitespace() => {}
            '#' => skip_line(&mut chars, &mut line),
            '/' if chars.peek() == Some(&'/') => skip_line(&mut chars, &mut line),
            '/' if chars.peek() == Some(&'*') => {
                let start = line;
                chars.next();
                let mut last = ' ';
                loop {
                    match chars.next() {
                        Some('/') if last == '*' => break,
                        Some(c) => {
                            line += usize::from(c == '\n');
                            last = c;
                        }
                        None => {
                            return Err(bad_key(format!(
                                "line {start}: a '/*' comment is never closed"
                            )));
                        }
                    }
                }
            }
            '{' => tokens.push(Token::Open(line)),
            '}' => tokens.push(Token::Close(line)),
            ';' => tokens.push(Token::Semi(line)),
            '"' => {
                let start = line;
                let mut value = String::new();
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => value.extend(chars.next()),
                        Some(c) => {
                            line += usize::from(c == '\n');
                            value.push(c);
                        }
                        None => {
                            return Err(bad_key(format!(
                                "line {start}: a quoted string is never closed"
                            )));
                        }
                    }
                }
                tokens.push(Token::Quoted(value, start));
            }
            c => {
                let mut word = String::from(c);
                while let Some(&c) = chars.peek() {
                    if c.is_whitespace() || matches!(c, '{' | '}' | ';' | '"') {
                        break;
                    }
                    word.push(c);
                    chars.next();
                }
                tokens.push(Token::Word(word, line));
            }
        }
    }
    Ok(tokens)
}

fn skip_line(chars: &mut std::iter::Peekable<std::str::Chars<'_>>, line: &mut usize) {
    for c in chars.by_ref() {
        if c == '\n' {
            *line += 1;
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEYGEN_OUTPUT: &str = "key \"ike-office\" {\n\talgorithm hmac-sha256;\n\tsecret \
                                 \"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I=\";\n};\n";

    fn problem(text: &str) -> String {
        match TsigKey::parse(text) {
            Err(e @ Error::BadKey { .. }) => {
                let message = e.to_string();
                assert!(!message.contains('\n'), "{message}");
                message
            }
            other => panic!("expected a BadKey error, got {other:?}"),
        }
    }

    #[test]
    fn tsig_keygen_output_parses() {
        let key = TsigKey::parse(KEYGEN_OUTPUT).unwrap();
        assert_eq!(key.name, "ike-office");
        assert_eq!(key.algorithm, Algorithm::HmacSha256);
        assert_eq!(key.secret(), b"secret-secret-secret-secret-secr");
    }

    #[test]
    fn comments_unquoted_names_and_other_statements_are_accepted() {
        let text = "# made by hand\n/* a\n block */ key office. { // the key\n  algorithm \
                    HMAC-SHA512; comment \"x\"; secret \"c2Vj cmV0\"; };";
        let key = TsigKey::parse(text).unwrap();
        assert_eq!(key.name, "office");
        assert_eq!(key.algorithm, Algorithm::HmacSha512);
        assert_eq!(key.secret(), b"secret");
    }

    #[test]
    fn debug_output_hides_the_secret() {
        let key = TsigKey::parse(KEYGEN_OUTPUT).unwrap();
        let debug = format!("{key:?}");
        assert!(
            !debug.contains("c2Vj") && !debug.contains("secret-"),
            "{debug}"
        );
        assert!(debug.contains("32 bytes"), "{debug}");
    }

    #[test]
    fn bad_key_files_get_one_line_errors_that_say_what_is_wrong() {
        let cases = [
            ("", "no key clause found"),
            ("zone \"x\" { };", "found \"zone\" where 'key' belongs"),
            (
                "key \"k\" { algorithm hmac-sha256; };",
                "key \"k\" has no secret",
            ),
            (
                "key \"k\" { secret \"c2Vj\"; };",
                "key \"k\" has no algorithm",
            ),
            (
                "key \"k\" { algorithm hmac-md5; secret \"c2Vj\"; };",
                "algorithm \"hmac-md5\" is not supported",
            ),
            (
                "key \"k\" { algorithm hmac-sha256; secret \"not base64!\"; };",
                "is not base64",
            ),
            (
                "key \"k\" { algorithm hmac-sha256; secret \"\"; };",
                "has an empty secret",
            ),
            (
                "key \"k\" { algorithm hmac-sha256 secret \"c2Vj\"; };",
                "line 1: found \"secret\" where ';' after the value belongs",
            ),
            ("key \"k\" { algorithm hmac-sha256;", "the text ends where"),
            ("key \"k { };", "a quoted string is never closed"),
            ("/* key", "a '/*' comment is never closed"),
        ];
        for (text, expected) in cases {
            let message = problem(text);
            assert!(message.contains(expected), "{text:?}: {message}");
        }
        let two = format!("{KEYGEN_OUTPUT}{KEYGEN_OUTPUT}");
        assert!(problem(&two).contains("2 key clauses found"));
    }

    #[test]
    fn an_unreadable_key_file_names_the_file() {
        let err = TsigKey::from_file(Path::new("/nonexistent/ike.key")).unwrap_err();
        assert!(err.to_string().contains("/nonexistent/ike.key"), "{err}");
    }
}
