//! The built-in prompt's strings: English and French tables, chosen by the `locale`
//! option of `open` (else the page's `<html lang>`), each string replaceable with the
//! `messages` option. `{name}` is the connector's display name, `{label}` a field's
//! label, `{error}` the error's message.

use js_sys::Object;
use wasm_bindgen::{JsCast, JsValue};

use super::js::{self, invalid_option as option};
use crate::Result;

/// One string of the prompt; the discriminant indexes the tables.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Msg {
    Title,
    Connect,
    ConnectWith,
    Cancel,
    Close,
    Done,
    Busy,
    Popup,
    Success,
    Failure,
    Invalid,
    Required,
    ModuleHelp,
    ConfigUrl,
}

/// The `messages` keys, in `Msg` order (the TypeScript `MunityMessages` lists them too).
const KEYS: [&str; 14] = [
    "title",
    "connect",
    "connectWith",
    "cancel",
    "close",
    "done",
    "busy",
    "popup",
    "success",
    "failure",
    "invalid",
    "required",
    "moduleHelp",
    "configUrl",
];

const EN: [&str; 14] = [
    "Connect {name}",
    "Connect",
    "Connect with {name}",
    "Cancel",
    "Close",
    "Done",
    "Encrypting and connecting…",
    "Continue in the {name} window…",
    "{name} is connected.",
    "Could not connect: {error}",
    "Check the highlighted fields.",
    "{label} is required",
    "In {name}, open the marketplace, choose this module and paste its configuration URL. \
     {name} then registers it, and the connection is made.",
    "Configuration URL",
];

const FR: [&str; 14] = [
    "Connecter {name}",
    "Connecter",
    "Se connecter avec {name}",
    "Annuler",
    "Fermer",
    "Terminé",
    "Chiffrement et connexion…",
    "Continuez dans la fenêtre {name}…",
    "{name} est connecté.",
    "Connexion impossible : {error}",
    "Vérifiez les champs signalés.",
    "{label} est obligatoire",
    "Dans {name}, ouvrez la place de marché, choisissez ce module et collez son URL de \
     configuration. {name} l'enregistre alors, et la connexion est faite.",
    "URL de configuration",
];

/// The strings of one prompt.
#[derive(Debug, Clone)]
pub(crate) struct Messages {
    /// The language of the strings (`en` or `fr`), the dialog's `lang`.
    pub lang: &'static str,
    strings: Vec<String>,
}

impl Messages {
    /// The table for `locale` (`fr`, `fr-CA`... are French; anything else English), with
    /// the strings of `overrides` (an object keyed by `KEYS`; `undefined` for none)
    /// replacing the table's. An unknown key or a value that is not a string is an
    /// `invalid_option` error.
    pub(crate) fn new(locale: &str, overrides: &JsValue) -> Result<Messages> {
        let french = locale
            .get(..2)
            .is_some_and(|p| p.eq_ignore_ascii_case("fr"));
        let (lang, table) = if french { ("fr", &FR) } else { ("en", &EN) };
        let mut strings: Vec<String> = table.iter().map(|s| (*s).to_owned()).collect();
        if !(overrides.is_undefined() || overrides.is_null()) {
            let object = overrides
                .dyn_ref::<Object>()
                .ok_or_else(|| option("option `messages` must be an object of strings"))?;
            for key in Object::keys(object).iter() {
                let key = key.as_string().unwrap_or_default();
                let index = KEYS
                    .iter()
                    .position(|k| *k == key)
                    .ok_or_else(|| option(format!("`messages` has no string `{key}`")))?;
                strings[index] = js::get_string(object, &key)
                    .ok_or_else(|| option(format!("`messages.{key}` must be a string")))?;
            }
        }
        Ok(Messages { lang, strings })
    }

    /// The string `msg` with `{name}`, `{label}` and `{error}` filled in from `args`.
    /// A `{word}` not in `args` stays as written. (A scan by hand: `str::replace` brings
    /// a substring searcher into the wasm.)
    pub(crate) fn get(&self, msg: Msg, args: &[(&str, &str)]) -> String {
        let mut out = String::new();
        let mut rest = self.strings[msg as usize].as_str();
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            let arg = after.find('}').and_then(|close| {
                let (_, value) = args.iter().find(|(key, _)| *key == &after[..close])?;
                Some((close, value))
            });
            match arg {
                Some((close, value)) => {
                    out.push_str(value);
                    rest = &after[close + 1..];
                }
                None => {
                    out.push('{');
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        out
    }
}
