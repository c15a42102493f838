//! The emulator's objects: merchants, Checkout Sessions, Charge Permissions, Charges, Refunds.
//!
//! States are enums with the state-specific data inside the variants. Wire vocabularies
//! (`"Open"`, `"BuyerCanceled"`, ...) are produced by the `as_str` methods at the edge.
//!
//! One file per object (`merchant`, `buyer`, `session`, `permission`, `charge`, `refund`); every
//! type is re-exported here, so its path stays `model::Type`.

macro_rules! str_enum {
    ($(#[$meta:meta])* pub enum $name:ident { $($(#[$vm:meta])* $variant:ident = $wire:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vm])* #[doc = concat!("`", $wire, "`")] $variant,)+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The wire (and storage) string.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $wire,)+ }
            }

            /// Parses the exact wire string.
            pub fn parse(s: &str) -> Option<$name> {
                match s { $($wire => Some($name::$variant),)+ _ => None }
            }
        }
    };
}

mod buyer;
mod charge;
mod merchant;
mod permission;
mod refund;
mod session;

pub use buyer::*;
pub use charge::*;
pub use merchant::*;
pub use permission::*;
pub use refund::*;
pub use session::*;
