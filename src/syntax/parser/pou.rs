//! POUs (with their nested methods, properties and actions), configurations, and the item
//! parser that ties the grammar together.

use super::decl::{modifier, modifiers, qualified_name, type_and_decl, type_block, var_block};
use super::expr::{args, expr};
use super::stmt::statement;
use super::{Extra, Tokens, expect, ident, opt_semi, soft, span_of, tok};
use crate::syntax::ast::*;
use crate::syntax::token::TokenKind as K;
use chumsky::prelude::*;

/// The keyword that opens a POU of each kind, and the one that closes it.
const POU_KEYWORDS: &[(K, PouKind, K)] = &[
    (K::Program, PouKind::Program, K::EndProgram),
    (
        K::FunctionBlock,
        PouKind::FunctionBlock,
        K::EndFunctionBlock,
    ),
    (K::Function, PouKind::Function, K::EndFunction),
    (K::Class, PouKind::Class, K::EndClass),
    (K::Interface, PouKind::Interface, K::EndInterface),
    (K::Method, PouKind::Method, K::EndMethod),
    (K::Property, PouKind::Property, K::EndProperty),
    (K::Action, PouKind::Action, K::EndAction),
];

/// `GET`/`SET` opening an accessor — not the property's name used in a statement
/// (`Get := TRUE;` inside a getter).
fn accessor<'a>(kind: K) -> chumsky::Boxed<'a, 'a, Tokens<'a>, (), Extra> {
    let continues_statement = choice((
        tok(K::Assign),
        tok(K::AssignAttempt),
        tok(K::Dot),
        tok(K::LParen),
        tok(K::LBracket),
        tok(K::Caret),
    ));
    soft(kind)
        .then_ignore(continues_statement.not().rewind())
        .boxed()
}

/// Boxed member: every body statement passes through this enum, which would otherwise be as
/// large as a whole POU.
enum Part {
    Member(Box<Pou>),
    Stmt(Stmt),
}

/// One top-level item: a POU, a TYPE block, a global variable list or a configuration.
pub fn item<'a>(src: &'a str) -> impl Parser<'a, Tokens<'a>, Item, Extra> {
    let expr = expr(src);
    let (type_spec, var_decl) = type_and_decl(src, expr.clone());
    let var_block = var_block(var_decl).boxed();
    let stmt = statement(src, expr.clone());

    let modifiers = modifiers(src);
    let name_list = qualified_name(src)
        .separated_by(tok(K::Comma))
        .allow_trailing()
        .at_least(1)
        .collect::<Vec<_>>();

    let pou = recursive(|pou| {
        // Statements and members may interleave (TwinCAT puts the body first, IEC classes
        // put methods first); they are separated when the POU is built.
        let parts = choice((
            pou.clone().map(|p| Part::Member(Box::new(p))),
            stmt.clone().map(Part::Stmt),
        ))
        .repeated()
        .collect::<Vec<_>>();

        // One parser per POU kind, each closed by its own END keyword.
        let kinds = POU_KEYWORDS
            .iter()
            .map(|&(start, kind, end)| (tok(start).boxed(), kind, end))
            .chain([
                (accessor(K::Get), PouKind::Getter, K::EndGet),
                (accessor(K::Set), PouKind::Setter, K::EndSet),
            ]);
        let variants: Vec<_> = kinds
            .map(|(start, kind, end)| {
                let accessor = matches!(kind, PouKind::Getter | PouKind::Setter);
                let name = ident(src).map(Some);
                let name = if accessor {
                    empty().to(None).boxed()
                } else {
                    name.boxed()
                };
                // Accessors have no name to check modifiers against: `SET PUBLIC`.
                let modifiers = if accessor {
                    modifier().repeated().collect::<Vec<_>>().boxed()
                } else {
                    modifiers.clone().boxed()
                };
                // `ACTION A_Reset:` has a colon but no type.
                let return_type = if kind == PouKind::Action {
                    tok(K::Colon).or_not().to(None).boxed()
                } else {
                    tok(K::Colon)
                        .ignore_then(type_spec.clone())
                        .or_not()
                        .boxed()
                };
                // RuSTy's type parameters: `<T: ANY_NUM, U: ANY>` after the name.
                let generic = ident(src)
                    .then_ignore(tok(K::Colon))
                    .then(ident(src))
                    .map(|(name, constraint)| GenericParam { name, constraint });
                let generics = generic
                    .separated_by(tok(K::Comma))
                    .at_least(1)
                    .collect::<Vec<_>>()
                    .delimited_by(tok(K::Lt), tok(K::Gt))
                    .or_not()
                    .map(Option::unwrap_or_default);
                start
                    .ignore_then(modifiers)
                    .then(name)
                    .then(generics)
                    .then(return_type)
                    .then(tok(K::Extends).ignore_then(name_list.clone()).or_not())
                    .then(tok(K::Implements).ignore_then(name_list.clone()).or_not())
                    // `FUNCTION F : BOOL;` — TwinCAT tolerates a `;` after the header.
                    .then_ignore(opt_semi())
                    // `END_VAR;` is common: a `;` before another block means nothing. (One after
                    // the last block is an empty statement, so that printing round-trips.)
                    .then(
                        tok(K::Semi)
                            .repeated()
                            .ignore_then(var_block.clone())
                            .repeated()
                            .collect::<Vec<_>>(),
                    )
                    .then(parts.clone())
                    .then_ignore(expect(end))
                    .then_ignore(opt_semi())
                    .map_with(
                        move |(
                            (
                                (
                                    ((((modifiers, name), generics), return_type), extends),
                                    implements,
                                ),
                                var_blocks,
                            ),
                            parts,
                        ),
                              e| {
                            let mut body = Vec::new();
                            let mut members = Vec::new();
                            for part in parts {
                                match part {
                                    Part::Member(m) => members.push(*m),
                                    Part::Stmt(s) => body.push(s),
                                }
                            }
                            Pou {
                                kind,
                                name,
                                modifiers,
                                generics,
                                return_type,
                                extends: extends.unwrap_or_default(),
                                implements: implements.unwrap_or_default(),
                                var_blocks,
                                body,
                                members,
                                span: span_of(e),
                            }
                        },
                    )
                    .boxed()
            })
            .collect();
        choice(variants)
    });

    let task = soft(K::Task)
        .ignore_then(ident(src))
        .then(args(src, expr.clone()).or_not())
        .then_ignore(expect(K::Semi))
        .map_with(|(name, settings), e| Task {
            name,
            settings: settings.unwrap_or_default(),
            span: span_of(e),
        });
    let program_instance = tok(K::Program)
        .ignore_then(ident(src))
        .then(soft(K::With).ignore_then(ident(src)).or_not())
        .then_ignore(expect(K::Colon))
        .then(qualified_name(src))
        .then(args(src, expr.clone()).or_not())
        .then_ignore(expect(K::Semi))
        .map_with(|(((name, task), program), args), e| ProgramInstance {
            name,
            task,
            program,
            args: args.unwrap_or_default(),
            span: span_of(e),
        });
    enum ConfigPart {
        Vars(VarBlock),
        Resource(Resource),
        Task(Task),
        Program(ProgramInstance),
    }
    let task_or_program = choice((
        task.map(ConfigPart::Task),
        program_instance.map(ConfigPart::Program),
    ));
    let resource = tok(K::Resource)
        .ignore_then(ident(src))
        .then_ignore(expect(K::On))
        .then(ident(src))
        .then(var_block.clone().repeated().collect::<Vec<_>>())
        .then(task_or_program.clone().repeated().collect::<Vec<_>>())
        .then_ignore(expect(K::EndResource))
        .then_ignore(opt_semi())
        .map_with(|(((name, on), var_blocks), parts), e| {
            let mut tasks = Vec::new();
            let mut programs = Vec::new();
            for part in parts {
                match part {
                    ConfigPart::Task(t) => tasks.push(t),
                    ConfigPart::Program(p) => programs.push(p),
                    ConfigPart::Vars(_) | ConfigPart::Resource(_) => {
                        unreachable!("only tasks and programs here")
                    }
                }
            }
            Resource {
                name,
                on,
                var_blocks,
                tasks,
                programs,
                span: span_of(e),
            }
        });
    let configuration = tok(K::Configuration)
        .ignore_then(ident(src))
        .then(
            choice((
                var_block.clone().map(ConfigPart::Vars),
                resource.map(ConfigPart::Resource),
                task_or_program,
            ))
            .repeated()
            .collect::<Vec<_>>(),
        )
        .then_ignore(expect(K::EndConfiguration))
        .then_ignore(opt_semi())
        .map_with(|(name, parts), e| {
            let mut config = Configuration {
                name,
                var_blocks: Vec::new(),
                resources: Vec::new(),
                tasks: Vec::new(),
                programs: Vec::new(),
                span: span_of(e),
            };
            for part in parts {
                match part {
                    ConfigPart::Vars(v) => config.var_blocks.push(v),
                    ConfigPart::Resource(r) => config.resources.push(r),
                    ConfigPart::Task(t) => config.tasks.push(t),
                    ConfigPart::Program(p) => config.programs.push(p),
                }
            }
            config
        });

    choice((
        pou.map(Item::Pou),
        type_block(src, expr, type_spec).map(Item::Types),
        var_block.map(Item::Globals),
        configuration.map(Item::Configuration),
    ))
    .then_ignore(end())
}
