//! `#[xmlrpc_kit::api]`: one Rust trait gives an XML-RPC server's registration (with
//! signatures and help), an async and a blocking typed client. Use it through
//! `xmlrpc_kit::api` (feature `macros`), whose documentation shows the expansion; the
//! generated code calls only `xmlrpc_kit`'s public (or hidden `api_support`) items.

#![forbid(unsafe_code)]

use proc_macro::TokenStream;
use proc_macro2::TokenStream as TokenStream2;
use quote::{format_ident, quote, quote_spanned, ToTokens};
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::{
    parse_macro_input, Attribute, Expr, FnArg, GenericArgument, ItemTrait, Lit, LitStr, Meta, Pat,
    PathArguments, ReturnType, TraitItem, TraitItemFn, Type,
};

/// Turns a trait into an XML-RPC API: see `xmlrpc_kit::api` for the whole story.
///
/// `#[xmlrpc_kit::api(namespace = "math")]` on `trait Calc` keeps the trait (its `async fn`s
/// become `fn .. -> impl Future<Output = T> + Send`, which an impl may still write as
/// `async fn`), adds the provided method `into_api(self) -> xmlrpc_kit::dispatch::Api`,
/// and defines `CalcClient` (over `AsyncClient`) and `CalcBlockingClient` (over `Client`).
#[proc_macro_attribute]
pub fn api(attr: TokenStream, item: TokenStream) -> TokenStream {
    let mut options = Options::default();
    let parser = syn::meta::parser(|meta| {
        if meta.path.is_ident("namespace") {
            let value: LitStr = meta.value()?.parse()?;
            options.namespace = value.value();
            Ok(())
        } else {
            Err(meta.error(
                "unknown option: `#[xmlrpc_kit::api]` takes `namespace = \"prefix\"` or nothing",
            ))
        }
    });
    parse_macro_input!(attr with parser);
    let item = parse_macro_input!(item as ItemTrait);
    match expand(&options, item) {
        Ok(tokens) => tokens.into(),
        Err(e) => e.to_compile_error().into(),
    }
}

#[derive(Default)]
struct Options {
    namespace: String,
}

/// One method of the trait, as the macro understood it.
struct ApiMethod {
    ident: syn::Ident,
    wire_name: String,
    blocking: bool,
    /// `#[xmlrpc(dynamic)]`: one argument that is the whole parameter list.
    dynamic: bool,
    is_async: bool,
    args: Vec<(syn::Ident, Type)>,
    /// The type the server's method returns, as written (`()` when none).
    output: Type,
    /// What a client gets on success: `T` of a `Result<T, E>`, else `output`.
    ok: Type,
    docs: Vec<Attribute>,
    help: String,
}

fn expand(options: &Options, mut item: ItemTrait) -> syn::Result<TokenStream2> {
    let mut errors: Option<syn::Error> = None;
    let mut push = |e: syn::Error| match &mut errors {
        Some(all) => all.combine(e),
        None => errors = Some(e),
    };
    if !item.generics.params.is_empty() {
        push(syn::Error::new_spanned(
            &item.generics,
            "an XML-RPC API trait cannot be generic: every argument and result needs one \
             concrete type (use `xmlrpc_kit::Value` for a value of any type)",
        ));
    }
    let mut methods = Vec::new();
    for trait_item in &mut item.items {
        match trait_item {
            TraitItem::Fn(f) => match method(options, f) {
                Ok(m) => methods.push(m),
                Err(e) => push(e),
            },
            other => push(syn::Error::new_spanned(
                other,
                "an XML-RPC API trait holds only methods (`fn name(&self, ..) -> T`)",
            )),
        }
    }
    let mut wire_names = std::collections::HashSet::new();
    for m in &methods {
        if !wire_names.insert(m.wire_name.as_str()) {
            push(syn::Error::new(
                m.ident.span(),
                format!(
                    "two methods of this API are named `{}` on the wire: give one another name \
                     with `#[xmlrpc(name = \"...\")]`",
                    m.wire_name
                ),
            ));
        }
    }
    if let Some(errors) = errors {
        return Err(errors);
    }
    let trait_name = &item.ident;
    let registrations = methods.iter().map(registration);
    let into_api_doc = format!(
        "The server side of [`{trait_name}`]: its methods{}, with their signatures and help, \
         to give to `Server::mount` (or `Registry::mount`).",
        if options.namespace.is_empty() {
            String::new()
        } else {
            format!(" under `{}.`", options.namespace)
        }
    );
    item.items.push(syn::parse_quote! {
        #[doc = #into_api_doc]
        fn into_api(self) -> ::xmlrpc_kit::dispatch::Api
        where
            Self: ::core::marker::Sized + ::core::marker::Send + ::core::marker::Sync + 'static,
        {
            let this = ::std::sync::Arc::new(self);
            let api = ::xmlrpc_kit::dispatch::Api::new();
            #(#registrations)*
            let _ = this;
            api
        }
    });
    let async_client = client(&item, &methods, false);
    let blocking_client = client(&item, &methods, true);
    Ok(quote! {
        #item
        #async_client
        #blocking_client
    })
}

fn method(options: &Options, f: &mut TraitItemFn) -> syn::Result<ApiMethod> {
    let sig = &mut f.sig;
    let ident = sig.ident.clone();
    if ident == "into_api" {
        return Err(syn::Error::new(
            ident.span(),
            "`into_api` is the method the macro adds: rename this one and keep its XML-RPC \
             name with `#[xmlrpc(name = \"into_api\")]`",
        ));
    }
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        return Err(syn::Error::new_spanned(
            &sig.generics,
            "an XML-RPC API method cannot be generic: its signature is fixed on the wire, so \
             give each argument one concrete type (use `xmlrpc_kit::Value` for a value of any \
             type)",
        ));
    }
    // The receiver: `&self` only.
    match sig.inputs.first() {
        Some(FnArg::Receiver(r)) if r.reference.is_some() && r.mutability.is_none() => {}
        Some(FnArg::Receiver(r)) if r.mutability.is_some() && r.reference.is_some() => {
            return Err(syn::Error::new_spanned(
                r,
                "an XML-RPC API method takes `&self`, not `&mut self`: the server calls it \
                 from many threads at once; keep mutable state in the implementing type \
                 behind a `Mutex`, an `RwLock` or atomics",
            ))
        }
        Some(FnArg::Receiver(r)) => {
            return Err(syn::Error::new_spanned(
                r,
                "an XML-RPC API method takes `&self`: the server keeps the value and calls its \
                 methods many times",
            ))
        }
        _ => {
            return Err(syn::Error::new(
                sig.ident.span(),
                "an XML-RPC API method takes `&self` first: the server calls it on the value \
                 given to `into_api()`",
            ))
        }
    }
    let mut args = Vec::new();
    for input in sig.inputs.iter().skip(1) {
        let FnArg::Typed(arg) = input else { continue };
        let Pat::Ident(pat) = &*arg.pat else {
            return Err(syn::Error::new_spanned(
                &arg.pat,
                "name each argument of an XML-RPC API method (`x: T`): the name goes in the \
                 method's help",
            ));
        };
        check_owned(&arg.ty, "argument")?;
        args.push((pat.ident.clone(), (*arg.ty).clone()));
    }
    let output: Type = match &sig.output {
        ReturnType::Default => syn::parse_quote!(()),
        ReturnType::Type(_, ty) => (**ty).clone(),
    };
    check_owned(&output, "result")?;
    let ok = ok_type(&output).unwrap_or_else(|| output.clone());

    // `#[xmlrpc(name = "...", blocking)]`, taken off the trait.
    let mut rename = None;
    let mut blocking = false;
    let mut dynamic = false;
    let mut kept = Vec::new();
    for attr in f.attrs.drain(..) {
        if !attr.path().is_ident("xmlrpc") {
            kept.push(attr);
            continue;
        }
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("name") {
                let name: LitStr = meta.value()?.parse()?;
                rename = Some(name.value());
                Ok(())
            } else if meta.path.is_ident("blocking") {
                blocking = true;
                Ok(())
            } else if meta.path.is_ident("dynamic") {
                dynamic = true;
                Ok(())
            } else {
                Err(meta.error(
                    "unknown option: `#[xmlrpc(..)]` takes `name = \"wireName\"`, `blocking` \
                     and `dynamic`",
                ))
            }
        })?;
    }
    f.attrs = kept;
    let sig = &mut f.sig;
    let is_async = sig.asyncness.is_some();
    if is_async && blocking {
        return Err(syn::Error::new(
            sig.ident.span(),
            "`#[xmlrpc(blocking)]` is for a sync method that blocks; an `async fn` already \
             yields while it waits: drop one or the other",
        ));
    }
    if dynamic && (is_async || blocking || args.len() != 1) {
        return Err(syn::Error::new(
            sig.ident.span(),
            "`#[xmlrpc(dynamic)]` is for a sync method of one argument, all the parameters: \
             `fn name(&self, params: Vec<xmlrpc_kit::Value>) -> Result<xmlrpc_kit::Value, \
             xmlrpc_kit::Fault>`",
        ));
    }
    if is_async {
        // `async fn f(&self, ..) -> T` becomes `fn f(&self, ..) -> impl Future<Output = T> +
        // Send`, so the server may run it on any thread; an impl may still write `async fn`.
        sig.asyncness = None;
        sig.output = syn::parse_quote! {
            -> impl ::core::future::Future<Output = #output> + ::core::marker::Send
        };
        if let Some(body) = &mut f.default {
            let stmts = &body.stmts;
            *body = syn::parse_quote!({ async move { #(#stmts)* } });
        }
    }
    let docs: Vec<Attribute> = f
        .attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .cloned()
        .collect();
    let mut help = doc_text(&docs);
    if !args.is_empty() && !dynamic {
        let names: Vec<String> = args
            .iter()
            .map(|(name, _)| name.unraw().to_string())
            .collect();
        if !help.is_empty() {
            help.push_str("\n\n");
        }
        help.push_str(&format!("Parameters: {}.", names.join(", ")));
    }
    let local = rename.unwrap_or_else(|| ident.unraw().to_string());
    let wire_name = if options.namespace.is_empty() {
        local
    } else {
        format!("{}.{local}", options.namespace)
    };
    Ok(ApiMethod {
        ident,
        wire_name,
        blocking,
        dynamic,
        is_async,
        args,
        output,
        ok,
        docs,
        help,
    })
}

/// Refuses borrowed types, saying which owned one to take.
fn check_owned(ty: &Type, what: &str) -> syn::Result<()> {
    match ty {
        Type::Reference(r) => {
            let owned = match &*r.elem {
                Type::Path(p) if p.path.is_ident("str") => "`String`, not `&str`".to_owned(),
                Type::Slice(s) if s.elem.to_token_stream().to_string() == "u8" => {
                    "`xmlrpc_kit::Binary` or `Vec<u8>`, not `&[u8]`".to_owned()
                }
                Type::Slice(s) => format!("`Vec<{}>`, not a slice", s.elem.to_token_stream()),
                other => format!("`{}`, not a reference", other.to_token_stream()),
            };
            Err(syn::Error::new_spanned(
                ty,
                format!(
                    "an XML-RPC API method's {what} is an owned type (it is decoded from, or \
                     encoded to, the request): take {owned}"
                ),
            ))
        }
        Type::ImplTrait(_) => Err(syn::Error::new_spanned(
            ty,
            format!(
                "an XML-RPC API method cannot be generic: give its {what} one concrete type \
                 (use `xmlrpc_kit::Value` for a value of any type)"
            ),
        )),
        _ => Ok(()),
    }
}

/// `T` of a `Result<T, E>` (by its last path segment).
fn ok_type(ty: &Type) -> Option<Type> {
    let Type::Path(p) = ty else { return None };
    let last = p.path.segments.last()?;
    if last.ident != "Result" {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    if args.args.len() != 2 {
        return None;
    }
    match args.args.first()? {
        GenericArgument::Type(t) => Some(t.clone()),
        _ => None,
    }
}

/// The doc comment's text, one leading space taken off each line.
fn doc_text(docs: &[Attribute]) -> String {
    let mut lines = Vec::new();
    for attr in docs {
        if let Meta::NameValue(nv) = &attr.meta {
            if let Expr::Lit(lit) = &nv.value {
                if let Lit::Str(s) = &lit.lit {
                    let text = s.value();
                    for line in text.lines() {
                        lines.push(line.strip_prefix(' ').unwrap_or(line).trim_end().to_owned());
                    }
                }
            }
        }
    }
    lines.join("\n").trim().to_owned()
}

fn type_name(ty: &Type) -> TokenStream2 {
    quote_spanned! {ty.span()=>
        (&&&::xmlrpc_kit::api_support::TypeOf::<#ty>::new()).xmlrpc_type()
    }
}

/// The registration of one method inside `into_api`.
fn registration(m: &ApiMethod) -> TokenStream2 {
    let ident = &m.ident;
    let name = &m.wire_name;
    let help = &m.help;
    let arg_names: Vec<_> = m.args.iter().map(|(n, _)| n).collect();
    let arg_types: Vec<_> = m.args.iter().map(|(_, t)| t).collect();
    let checks = arg_types.iter().map(|ty| {
        quote_spanned! {ty.span()=> ::xmlrpc_kit::api_support::argument::<#ty>(); }
    });
    let ok = &m.ok;
    let output = &m.output;
    let result_check = quote_spanned! {output.span()=>
        ::xmlrpc_kit::api_support::result::<#ok>();
    };
    let handler = if m.dynamic {
        let (arg, _) = &m.args[0];
        quote! {
            dynamic_method(#name, move |#arg| Self::#ident(&*this, #arg))
        }
    } else if m.is_async {
        quote! {
            async_method(#name, move |#(#arg_names: #arg_types),*| {
                let this = ::std::sync::Arc::clone(&this);
                async move { Self::#ident(&*this, #(#arg_names),*).await }
            })
        }
    } else {
        let verb = if m.blocking {
            format_ident!("blocking_method")
        } else {
            format_ident!("method")
        };
        quote! {
            #verb(#name, move |#(#arg_names: #arg_types),*| Self::#ident(&*this, #(#arg_names),*))
        }
    };
    let types: Vec<TokenStream2> = if m.dynamic {
        // Any parameters: no signature.
        vec![quote!(::core::option::Option::None)]
    } else {
        std::iter::once(type_name(ok))
            .chain(arg_types.iter().map(|t| type_name(t)))
            .collect()
    };
    quote! {
        #(#checks)*
        #result_check
        let api = {
            let this = ::std::sync::Arc::clone(&this);
            api.#handler.help(#help)
        };
        let api = {
            #[allow(unused_imports)]
            use ::xmlrpc_kit::api_support::{Declared as _, Probed as _, Unnamed as _};
            // The references pick `XmlRpcType`, then the serde probe, then none (autoref).
            #[allow(clippy::needless_borrow)]
            let types = [#(#types),*];
            match ::xmlrpc_kit::api_support::signature(&types) {
                ::core::option::Option::Some(signature) => api.signature(signature),
                ::core::option::Option::None => api,
            }
        };
    }
}

/// `<Trait>Client` (async) or `<Trait>BlockingClient`.
fn client(item: &ItemTrait, methods: &[ApiMethod], blocking: bool) -> TokenStream2 {
    let trait_name = &item.ident;
    let vis = &item.vis;
    let (name, inner, kind) = if blocking {
        (
            format_ident!("{}BlockingClient", trait_name),
            quote!(::xmlrpc_kit::Client),
            "blocking",
        )
    } else {
        (
            format_ident!("{}Client", trait_name),
            quote!(::xmlrpc_kit::AsyncClient),
            "async",
        )
    };
    let struct_doc = format!(
        "The {kind} typed client of [`{trait_name}`]: one method per method of the trait, \
         calling it by its XML-RPC name. A fault comes back as \
         `xmlrpc_kit::client::Error::Fault`."
    );
    let calls = methods.iter().map(|m| {
        let ident = &m.ident;
        let wire = &m.wire_name;
        let docs = &m.docs;
        let ok = &m.ok;
        let args = m.args.iter().map(|(n, t)| quote!(#n: #t));
        let names: Vec<_> = m.args.iter().map(|(n, _)| n).collect();
        let params = if m.dynamic {
            quote!(#(#names)*)
        } else {
            quote!((#(#names,)*))
        };
        let call_doc = format!("Calls `{wire}`.");
        if blocking {
            quote! {
                #(#docs)*
                #[doc = ""]
                #[doc = #call_doc]
                #[allow(clippy::too_many_arguments)]
                #vis fn #ident(&self, #(#args),*) -> ::core::result::Result<#ok, ::xmlrpc_kit::client::Error> {
                    self.client.call(#wire, #params)
                }
            }
        } else {
            quote! {
                #(#docs)*
                #[doc = ""]
                #[doc = #call_doc]
                #[allow(clippy::too_many_arguments)]
                #vis async fn #ident(&self, #(#args),*) -> ::core::result::Result<#ok, ::xmlrpc_kit::client::Error> {
                    self.client.call(#wire, #params).await
                }
            }
        }
    });
    let new_doc = format!("Calls [`{trait_name}`]'s methods through `client`.");
    quote! {
        #[doc = #struct_doc]
        #[derive(Debug, Clone)]
        #[allow(dead_code)]
        #vis struct #name {
            client: #inner,
        }

        #[allow(dead_code)]
        impl #name {
            #[doc = #new_doc]
            #vis fn new(client: #inner) -> Self {
                Self { client }
            }

            /// The client underneath, for calls outside the trait.
            #vis fn client(&self) -> &#inner {
                &self.client
            }

            #(#calls)*
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    fn expand_str(namespace: &str, item: &str) -> Result<String, String> {
        let options = Options {
            namespace: namespace.to_owned(),
        };
        let item: ItemTrait = syn::parse_str(item).unwrap();
        expand(&options, item)
            .map(|t| t.to_string())
            .map_err(|e| e.to_string())
    }

    #[test]
    fn names_help_and_kinds_come_from_the_trait() {
        let out = expand_str(
            "math",
            "trait Calc { /// Adds.\n/// Fast.\nfn add(&self, x: i32, r#type: i32) -> i32; \
             #[xmlrpc(name = \"getState\", blocking)] fn get_state(&self) -> Result<u8, F>; \
             async fn later(&self) -> String; }",
        )
        .unwrap();
        assert!(out.contains("method (\"math.add\""), "{out}");
        assert!(
            out.contains("\"Adds.\\nFast.\\n\\nParameters: x, type.\""),
            "{out}"
        );
        assert!(out.contains("blocking_method (\"math.getState\""), "{out}");
        assert!(out.contains("async_method (\"math.later\""), "{out}");
        assert!(out.contains("-> impl :: core :: future :: Future < Output = String > + :: core :: marker :: Send"), "{out}");
        // The client's result is the `T` of `Result<T, E>`.
        assert!(out.contains("fn get_state (& self ,) -> :: core :: result :: Result < u8 , :: xmlrpc_kit :: client :: Error >"), "{out}");
        assert!(
            !out.contains("xmlrpc ("),
            "the #[xmlrpc] attributes are taken off: {out}"
        );
    }

    #[test]
    fn misuse_is_refused_with_what_to_do() {
        let refused = |item: &str| expand_str("", item).unwrap_err();
        assert!(refused("trait T { fn f(&mut self); }").contains("not `&mut self`"));
        assert!(refused("trait T { fn f(&self, s: &str); }").contains("take `String`, not `&str`"));
        assert!(refused("trait T { fn f(&self, s: &[u8]); }")
            .contains("`xmlrpc_kit::Binary` or `Vec<u8>`"));
        assert!(refused("trait T { fn f<X>(&self, x: X); }").contains("cannot be generic"));
        assert!(refused("trait T { fn f(&self, x: impl Clone); }").contains("cannot be generic"));
        assert!(refused("trait T<X> { fn f(&self); }").contains("cannot be generic"));
        assert!(refused("trait T { fn f(self); }").contains("takes `&self`"));
        assert!(refused("trait T { fn f(); }").contains("takes `&self` first"));
        assert!(refused("trait T { type X; }").contains("holds only methods"));
        assert!(refused("trait T { #[xmlrpc(blocking)] async fn f(&self); }").contains("drop one"));
        assert!(
            refused("trait T { #[xmlrpc(name = \"a\")] fn f(&self); fn a(&self); }")
                .contains("named `a` on the wire")
        );
        assert!(refused("trait T { #[xmlrpc(fast)] fn f(&self); }").contains("unknown option"));
        assert!(
            refused("trait T { #[xmlrpc(dynamic)] fn f(&self, a: i32, b: i32); }")
                .contains("one argument")
        );
    }
}
