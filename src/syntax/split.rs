//! Splits a file's tokens into top-level regions before parsing, by their opening and closing
//! keywords. Each region is then parsed on its own, which bounds the damage of any error (a
//! missing `END_FUNCTION_BLOCK` cannot swallow the next POU), lets stray text between POUs be
//! reported once, and gives one place to refuse pathologically deep input.

use super::token::{Token, TokenKind as K};
use std::ops::Range;

/// Brackets plus blocks deeper than this are refused (S009).
pub const MAX_NESTING: usize = 256;
/// Operators in one statement beyond this are refused (S009): each one deepens the tree.
pub const MAX_OPERATORS: usize = 10_000;

#[derive(Debug, PartialEq, Eq)]
pub enum Region {
    /// Tokens that start with an item keyword, up to its closing keyword.
    Item(Range<usize>),
    /// Tokens outside of any item.
    Stray(Range<usize>),
}

/// The closing keyword of an item that starts with `kind`, if `kind` starts an item.
fn item_end(kind: K) -> Option<K> {
    Some(match kind {
        K::Program => K::EndProgram,
        K::FunctionBlock => K::EndFunctionBlock,
        K::Function => K::EndFunction,
        K::Class => K::EndClass,
        K::Interface => K::EndInterface,
        K::Type => K::EndType,
        K::Configuration => K::EndConfiguration,
        K::VarGlobal => K::EndVar,
        K::Method => K::EndMethod,
        K::Property => K::EndProperty,
        K::Action => K::EndAction,
        _ => return None,
    })
}

/// Keywords that can only open a new top-level item: meeting one means the current item was
/// not closed.
fn starts_top_level(kind: K, current: K) -> bool {
    match kind {
        K::Program | K::FunctionBlock | K::Function | K::Class | K::Interface | K::Type => {
            // `PROGRAM x WITH t : P;` is part of a configuration.
            !(kind == K::Program && current == K::Configuration)
        }
        // Members only end a member item that stands at the top level.
        K::Method | K::Property | K::Action => {
            matches!(current, K::Method | K::Property | K::Action)
        }
        K::VarGlobal => current == K::VarGlobal,
        _ => false,
    }
}

pub fn split(tokens: &[Token]) -> Vec<Region> {
    let mut regions = Vec::new();
    let mut stray_start: Option<usize> = None;
    let mut i = 0;
    while i < tokens.len() {
        let start_kind = tokens[i].kind;
        let Some(end_kind) = item_end(start_kind) else {
            stray_start.get_or_insert(i);
            i += 1;
            continue;
        };
        if let Some(s) = stray_start.take() {
            regions.push(Region::Stray(s..i));
        }
        let mut j = i + 1;
        let end = loop {
            match tokens.get(j) {
                None => break j,
                Some(t) if t.kind == end_kind => break j + 1,
                Some(t) if starts_top_level(t.kind, start_kind) => break j,
                Some(_) => j += 1,
            }
        };
        // A following `;` belongs to the item (`END_TYPE;`).
        let end = if tokens.get(end).is_some_and(|t| t.kind == K::Semi) && end > j {
            end + 1
        } else {
            end
        };
        regions.push(Region::Item(i..end));
        i = end;
    }
    if let Some(s) = stray_start {
        regions.push(Region::Stray(s..tokens.len()));
    }
    regions
}

/// The index of the first token that nests too deep, if any.
pub fn too_deep(tokens: &[Token]) -> Option<usize> {
    let mut depth = 0usize;
    let mut operators = 0usize;
    for (i, token) in tokens.iter().enumerate() {
        match token.kind {
            K::LParen | K::LBracket | K::If | K::Case | K::For | K::While | K::Repeat => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Some(i);
                }
            }
            K::RParen
            | K::RBracket
            | K::EndIf
            | K::EndCase
            | K::EndFor
            | K::EndWhile
            | K::EndRepeat => {
                depth = depth.saturating_sub(1);
            }
            K::Semi => operators = 0,
            _ => {}
        }
        if matches!(
            token.kind,
            K::Plus
                | K::Minus
                | K::Star
                | K::Slash
                | K::Power
                | K::Mod
                | K::Eq
                | K::Ne
                | K::Lt
                | K::Gt
                | K::Le
                | K::Ge
                | K::And
                | K::Ampersand
                | K::AndThen
                | K::Or
                | K::OrElse
                | K::Xor
                | K::Not
                | K::Dot
                | K::Caret
        ) {
            operators += 1;
            if operators > MAX_OPERATORS {
                return Some(i);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;
    use crate::syntax::lex;

    fn regions(text: &str) -> Vec<Region> {
        split(&lex(FileId(0), text).tokens)
    }

    #[test]
    fn items_and_stray_tokens() {
        let r = regions("x := 1; PROGRAM P END_PROGRAM TYPE T : INT; END_TYPE; garbage");
        assert_eq!(
            r,
            [
                Region::Stray(0..4),
                Region::Item(4..7),
                Region::Item(7..14),
                Region::Stray(14..15)
            ]
        );
    }

    #[test]
    fn unclosed_item_ends_at_next_pou() {
        let r = regions("FUNCTION_BLOCK A METHOD M END_METHOD PROGRAM P END_PROGRAM");
        assert_eq!(r, [Region::Item(0..5), Region::Item(5..8)]);
    }

    #[test]
    fn configuration_keeps_its_program_instances() {
        let r = regions(
            "CONFIGURATION C RESOURCE R ON PLC PROGRAM M WITH T : P; END_RESOURCE END_CONFIGURATION",
        );
        assert_eq!(r.len(), 1);
    }

    #[test]
    fn deep_nesting_is_found() {
        let deep = format!("{}x{}", "(".repeat(300), ")".repeat(300));
        assert_eq!(too_deep(&lex(FileId(0), &deep).tokens), Some(MAX_NESTING));
        let fine = format!("{}x{}", "(".repeat(200), ")".repeat(200));
        assert_eq!(too_deep(&lex(FileId(0), &fine).tokens), None);
    }
}
