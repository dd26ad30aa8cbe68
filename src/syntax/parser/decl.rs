//! Declarations: variable blocks, type specifications and `TYPE … END_TYPE` blocks.

use super::expr::{args, initializer};
use super::{Extra, Tokens, What, expect, ident, opt_semi, soft, span_of, text, tok};
use crate::syntax::ast::*;
use crate::syntax::token::TokenKind as K;
use chumsky::prelude::*;

/// `PUBLIC`, `ABSTRACT`, … (soft keywords).
pub fn modifier<'a>() -> impl Parser<'a, Tokens<'a>, Modifier, Extra> + Clone {
    select! {
        K::Public => Modifier::Public,
        K::Private => Modifier::Private,
        K::Protected => Modifier::Protected,
        K::Internal => Modifier::Internal,
        K::Abstract => Modifier::Abstract,
        K::Final => Modifier::Final,
    }
}

/// Modifiers before a name. A modifier word is only a modifier if a name still follows
/// (`METHOD Final` names a method `Final`).
pub fn modifiers<'a>(src: &'a str) -> impl Parser<'a, Tokens<'a>, Vec<Modifier>, Extra> + Clone {
    modifier()
        .then_ignore(ident(src).rewind())
        .repeated()
        .collect::<Vec<_>>()
}

/// `Lib.Type` or `Type`.
pub fn qualified_name<'a>(
    src: &'a str,
) -> impl Parser<'a, Tokens<'a>, QualifiedName, Extra> + Clone {
    ident(src)
        .separated_by(tok(K::Dot))
        .at_least(1)
        .collect::<Vec<_>>()
        .map_with(|parts, e| QualifiedName {
            parts,
            span: span_of(e),
        })
}

fn enum_values<'a>(
    src: &'a str,
    expr: impl Parser<'a, Tokens<'a>, Expr, Extra> + Clone + 'a,
) -> impl Parser<'a, Tokens<'a>, Vec<EnumValue>, Extra> + Clone {
    ident(src)
        .then(tok(K::Assign).ignore_then(expr).or_not())
        .map(|(name, value)| EnumValue { name, value })
        .separated_by(tok(K::Comma))
        .allow_trailing()
        .at_least(1)
        .collect::<Vec<_>>()
        // No insertion of a missing `)`: this list is tried before other readings of `T(…)`.
        .then_ignore(tok(K::RParen))
        .delimited_by(tok(K::LParen), empty())
}

/// Type specifications, as used in variable declarations, and the declarations they contain
/// (struct members). Returns `(type_spec, var_decl)`.
pub fn type_and_decl<'a>(
    src: &'a str,
    expr: impl Parser<'a, Tokens<'a>, Expr, Extra> + Clone + 'a,
) -> (
    impl Parser<'a, Tokens<'a>, TypeSpec, Extra> + Clone,
    impl Parser<'a, Tokens<'a>, VarDecl, Extra> + Clone,
) {
    let type_spec = recursive(|type_spec| {
        let string_length = choice((
            expr.clone()
                .then_ignore(expect(K::RParen))
                .delimited_by(tok(K::LParen), empty()),
            expr.clone()
                .then_ignore(expect(K::RBracket))
                .delimited_by(tok(K::LBracket), empty()),
        ))
        .map(Box::new)
        .or_not();
        let string = select! { K::StringKw => false, K::WStringKw => true }
            .then(string_length)
            .map(|(wide, length)| TypeSpecKind::String { wide, length });

        let dim = choice((
            tok(K::Star).map_with(|_, e| ArrayDim::Star(span_of(e))),
            expr.clone()
                .then_ignore(expect(K::DotDot))
                .then(expr.clone())
                .map(|(low, high)| ArrayDim::Range(low, high)),
        ));
        let array = tok(K::Array)
            .ignore_then(
                dim.separated_by(tok(K::Comma))
                    .at_least(1)
                    .collect::<Vec<_>>()
                    .then_ignore(expect(K::RBracket))
                    .delimited_by(expect(K::LBracket), empty()),
            )
            .then_ignore(expect(K::Of))
            .then(type_spec.clone())
            .map(|(dims, element)| TypeSpecKind::Array {
                dims,
                element: Box::new(element),
            });

        let pointer = choice((
            soft(K::Pointer)
                .ignore_then(tok(K::To))
                .ignore_then(type_spec.clone())
                .map(|t| TypeSpecKind::Pointer(Box::new(t))),
            tok(K::RefTo)
                .ignore_then(type_spec.clone())
                .map(|t| TypeSpecKind::RefTo(Box::new(t))),
            soft(K::Reference)
                .ignore_then(tok(K::To))
                .ignore_then(type_spec.clone())
                .map(|t| TypeSpecKind::Reference(Box::new(t))),
        ));

        let members = var_decl_with(src, expr.clone(), type_spec.clone())
            .repeated()
            .collect::<Vec<_>>();
        let structure = tok(K::Struct)
            .ignore_then(members.clone())
            .then_ignore(expect(K::EndStruct))
            .map(|members| TypeSpecKind::Struct { members });
        let union = tok(K::Union)
            .ignore_then(members)
            .then_ignore(expect(K::EndUnion))
            .map(|members| TypeSpecKind::Union { members });

        // `(A, B := 2) INT`: the CODESYS order, base type after the values.
        let enumeration = enum_values(src, expr.clone())
            .then(qualified_name(src).or_not())
            .map(|(values, base)| TypeSpecKind::Enum {
                base,
                values,
                base_first: false,
            });

        let subrange = qualified_name(src)
            .then(
                expr.clone()
                    .then_ignore(tok(K::DotDot))
                    .then(expr.clone())
                    .then_ignore(expect(K::RParen))
                    .delimited_by(tok(K::LParen), empty()),
            )
            .map(|(base, (low, high))| TypeSpecKind::Subrange {
                base,
                low: Box::new(low),
                high: Box::new(high),
            });

        choice((
            array,
            pointer,
            string,
            structure,
            union,
            enumeration,
            subrange,
            qualified_name(src).map(TypeSpecKind::Named),
        ))
        .map_with(|kind, e| TypeSpec {
            kind,
            span: span_of(e),
        })
        .labelled(What::Type)
        .boxed()
    });
    let var_decl = var_decl_with(src, expr, type_spec.clone());
    (type_spec, var_decl)
}

/// A variable declaration (or struct member), given the type parser.
fn var_decl_with<'a>(
    src: &'a str,
    expr: impl Parser<'a, Tokens<'a>, Expr, Extra> + Clone + 'a,
    type_spec: impl Parser<'a, Tokens<'a>, TypeSpec, Extra> + Clone + 'a,
) -> impl Parser<'a, Tokens<'a>, VarDecl, Extra> + Clone {
    // In VAR_CONFIG the name is an instance path such as `Main.fb.x` or `Main.a[1].b`.
    let path_step = choice((
        tok(K::Dot).ignore_then(ident(src)).ignored(),
        expr.clone()
            .separated_by(tok(K::Comma))
            .at_least(1)
            .delimited_by(tok(K::LBracket), tok(K::RBracket))
            .ignored(),
    ));
    let name_path = ident(src)
        .then(path_step.repeated().at_least(1))
        .map_with(move |_, e| Ident {
            name: text(src, e),
            span: span_of(e),
        });
    let names = choice((name_path, ident(src)))
        .separated_by(tok(K::Comma))
        .at_least(1)
        .collect::<Vec<_>>();
    let address =
        tok(K::At).ignore_then(select! { K::Address => () }.map_with(move |_, e| Address {
            text: text(src, e),
            span: span_of(e),
        }));
    let edge = select! { K::REdge => Edge::Rising, K::FEdge => Edge::Falling };
    // CODESYS 2.3 writes array initial values without brackets: `a : ARRAY[1..3] OF INT := 1, 2, 3;`
    let init = initializer(src, expr.clone())
        .separated_by(tok(K::Comma))
        .at_least(1)
        .collect::<Vec<_>>()
        .map_with(|mut values, e| {
            if values.len() == 1 {
                values.pop().expect("one value")
            } else {
                let elems = values.into_iter().map(ArrayInitElem::Single).collect();
                Expr {
                    id: super::next_id(e),
                    kind: ExprKind::ArrayInit {
                        elems,
                        bracketed: false,
                    },
                    span: span_of(e),
                }
            }
        });
    names
        .then(address.or_not())
        .then_ignore(tok(K::Colon))
        .then(type_spec.clone())
        // RuSTy's variadic `T...` (lexed `..` then `.`).
        .then(
            tok(K::DotDot)
                .then(tok(K::Dot))
                .or_not()
                .map(|v| v.is_some()),
        )
        .then(edge.or_not())
        .then(args(src, expr.clone()).or_not())
        .then(tok(K::Assign).ignore_then(init).or_not())
        .then_ignore(expect(K::Semi))
        .map_with(
            |((((((names, address), ty), variadic), edge), init_args), init), e| VarDecl {
                names,
                address,
                ty,
                edge,
                init_args,
                init,
                variadic,
                span: span_of(e),
            },
        )
        .labelled(What::Declaration)
        .recover_with(via_parser(skip_declaration().map_with(|_, e| VarDecl {
            names: Vec::new(),
            address: None,
            ty: TypeSpec {
                kind: TypeSpecKind::Named(QualifiedName {
                    parts: Vec::new(),
                    span: span_of(e),
                }),
                span: span_of(e),
            },
            edge: None,
            init_args: None,
            init: None,
            variadic: false,
            span: span_of(e),
        })))
        .boxed()
}

/// Skips a broken declaration up to and including its `;`, stopping before a keyword that
/// closes the declaration list or starts something that cannot be inside one.
fn skip_declaration<'a>() -> impl Parser<'a, Tokens<'a>, (), Extra> + Clone {
    let stop = [
        K::EndVar,
        K::EndStruct,
        K::EndUnion,
        K::EndType,
        K::Semi,
        K::Var,
        K::VarInput,
        K::VarOutput,
        K::VarInOut,
        K::VarTemp,
        K::VarStat,
        K::VarInst,
        K::VarGlobal,
        K::VarExternal,
        K::VarConfig,
        K::EndProgram,
        K::EndFunction,
        K::EndFunctionBlock,
        K::EndMethod,
        K::EndProperty,
        K::EndInterface,
        K::EndClass,
        K::Method,
        K::Property,
    ];
    none_of(stop)
        .repeated()
        .at_least(1)
        .then(tok(K::Semi).or_not())
        .ignored()
        .or(tok(K::Semi))
}

fn var_kind<'a>() -> impl Parser<'a, Tokens<'a>, VarKind, Extra> + Clone {
    select! {
        K::Var => VarKind::Var,
        K::VarInput => VarKind::Input,
        K::VarOutput => VarKind::Output,
        K::VarInOut => VarKind::InOut,
        K::VarTemp => VarKind::Temp,
        K::VarGlobal => VarKind::Global,
        K::VarExternal => VarKind::External,
        K::VarStat => VarKind::Stat,
        K::VarInst => VarKind::Inst,
        K::VarConfig => VarKind::Config,
        K::VarAccess => VarKind::Access,
    }
}

/// `VAR_INPUT RETAIN … END_VAR`
pub fn var_block<'a>(
    var_decl: impl Parser<'a, Tokens<'a>, VarDecl, Extra> + Clone + 'a,
) -> impl Parser<'a, Tokens<'a>, VarBlock, Extra> + Clone {
    let qualifier = select! {
        K::Constant => VarQualifier::Constant,
        K::Retain => VarQualifier::Retain,
        K::NonRetain => VarQualifier::NonRetain,
        K::Persistent => VarQualifier::Persistent,
    };
    // A stray `;` among declarations (`x : INT;;`) is harmless and dropped.
    let decls = choice((tok(K::Semi).to(None), var_decl.map(Some)))
        .repeated()
        .collect::<Vec<_>>()
        .map(|decls| decls.into_iter().flatten().collect::<Vec<_>>());
    var_kind()
        .then(qualifier.repeated().collect::<Vec<_>>())
        .then(decls)
        .then_ignore(expect(K::EndVar))
        .map_with(|((kind, qualifiers), decls), e| VarBlock {
            kind,
            qualifiers,
            decls,
            span: span_of(e),
        })
}

/// `TYPE … END_TYPE`
pub fn type_block<'a>(
    src: &'a str,
    expr: impl Parser<'a, Tokens<'a>, Expr, Extra> + Clone + 'a,
    type_spec: impl Parser<'a, Tokens<'a>, TypeSpec, Extra> + Clone + 'a,
) -> impl Parser<'a, Tokens<'a>, TypeBlock, Extra> + Clone {
    // `INT (A := 1, B := 2)`: the IEC order, base type first. Only in TYPE blocks: in a variable
    // declaration `T(…)` means initialisation arguments.
    let enum_base_first = qualified_name(src)
        .then(enum_values(src, expr.clone()))
        .map_with(|(base, values), e| TypeSpec {
            kind: TypeSpecKind::Enum {
                base: Some(base),
                values,
                base_first: true,
            },
            span: span_of(e),
        });
    let decl = modifiers(src)
        .then(ident(src))
        .then(tok(K::Extends).ignore_then(qualified_name(src)).or_not())
        .then_ignore(expect(K::Colon))
        .then(choice((enum_base_first, type_spec)))
        .then(tok(K::Assign).ignore_then(initializer(src, expr)).or_not())
        .then_ignore(opt_semi())
        .map_with(|((((modifiers, name), extends), spec), init), e| TypeDecl {
            modifiers,
            name,
            extends,
            spec,
            init,
            span: span_of(e),
        });
    tok(K::Type)
        .ignore_then(decl.repeated().collect::<Vec<_>>())
        .then_ignore(expect(K::EndType))
        .then_ignore(opt_semi())
        .map_with(|decls, e| TypeBlock {
            decls,
            span: span_of(e),
        })
}
