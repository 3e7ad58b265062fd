//! Who someone is and what they may do.
use serde::{Deserialize, Serialize};
use std::fmt;

/// What was wrong with identity input, said so that a person can fix it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum IdentityError {
    #[error("Enter an email address such as name@example.com.")]
    EmailInvalid,
    #[error("The password needs at least {min} characters.")]
    PasswordTooShort { min: usize },
    #[error("The password may have at most {max} characters.")]
    PasswordTooLong { max: usize },
    #[error("Give the team a name of 1 to {max} characters.")]
    TeamNameInvalid { max: usize },
    #[error("A role is viewer, editor or admin.")]
    RoleUnknown,
}

/// An email address, trimmed; compared without regard to case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Email(String);

impl Email {
    pub fn parse(input: &str) -> Result<Self, IdentityError> {
        let email = input.trim();
        let valid = email.len() <= 254
            && !email.chars().any(|c| c.is_whitespace() || c.is_control())
            && match email.split_once('@') {
                Some((local, domain)) => {
                    !local.is_empty()
                        && !domain.contains('@')
                        && domain.contains('.')
                        && !domain.starts_with('.')
                        && !domain.ends_with('.')
                }
                None => false,
            };
        if valid {
            Ok(Email(email.to_owned()))
        } else {
            Err(IdentityError::EmailInvalid)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A new password: long enough to resist guessing (NIST SP 800-63B asks for 8 at the least;
/// we ask for 12), short enough that hashing it cannot be used to tie up the server.
/// Its Debug never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    pub const MIN: usize = 12;
    pub const MAX: usize = 256;

    pub fn parse(input: &str) -> Result<Self, IdentityError> {
        let length = input.chars().count();
        if length < Self::MIN {
            Err(IdentityError::PasswordTooShort { min: Self::MIN })
        } else if length > Self::MAX {
            Err(IdentityError::PasswordTooLong { max: Self::MAX })
        } else {
            Ok(Password(input.to_owned()))
        }
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(…)")
    }
}

/// A team's name, trimmed, 1 to 80 characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamName(String);

impl TeamName {
    pub const MAX: usize = 80;

    pub fn parse(input: &str) -> Result<Self, IdentityError> {
        let name = input.trim();
        if name.is_empty() || name.chars().count() > Self::MAX || name.chars().any(char::is_control)
        {
            return Err(IdentityError::TeamNameInvalid { max: Self::MAX });
        }
        Ok(TeamName(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A member's role in a team. Each role can do what the one before it can.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Reads everything of the team.
    Viewer,
    /// Changes the team's resources.
    Editor,
    /// Manages members, the AWS connection and settings.
    Admin,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Viewer, Role::Editor, Role::Admin];

    pub fn parse(input: &str) -> Result<Self, IdentityError> {
        match input {
            "viewer" => Ok(Role::Viewer),
            "editor" => Ok(Role::Editor),
            "admin" => Ok(Role::Admin),
            _ => Err(IdentityError::RoleUnknown),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Editor => "editor",
            Role::Admin => "admin",
        }
    }

    /// Whether this role includes `needed`.
    pub fn allows(self, needed: Role) -> bool {
        self >= needed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_trimmed_and_need_a_local_part_and_a_dotted_domain() {
        assert_eq!(
            Email::parse("  ada@example.com ").unwrap().as_str(),
            "ada@example.com"
        );
        for bad in [
            "",
            "ada",
            "@example.com",
            "ada@",
            "ada@example",
            "ada@.com",
            "a da@example.com",
            "a@b@c.com",
        ] {
            assert_eq!(
                Email::parse(bad),
                Err(IdentityError::EmailInvalid),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn passwords_have_a_floor_and_a_ceiling_in_characters() {
        assert_eq!(
            Password::parse("short"),
            Err(IdentityError::PasswordTooShort { min: 12 })
        );
        assert!(
            Password::parse("열두글자비밀번호입니다요").is_ok(),
            "12 Korean characters count as 12"
        );
        assert_eq!(
            Password::parse(&"x".repeat(257)),
            Err(IdentityError::PasswordTooLong { max: 256 })
        );
    }

    #[test]
    fn a_password_never_shows_in_debug_output() {
        let password = Password::parse("correct horse battery").unwrap();
        assert!(!format!("{password:?}").contains("horse"));
    }

    #[test]
    fn team_names_are_trimmed_and_bounded() {
        assert_eq!(TeamName::parse(" Platform ").unwrap().as_str(), "Platform");
        assert!(TeamName::parse("   ").is_err());
        assert!(TeamName::parse(&"t".repeat(81)).is_err());
    }

    #[test]
    fn roles_include_the_ones_below_them() {
        assert!(Role::Admin.allows(Role::Editor));
        assert!(Role::Editor.allows(Role::Viewer));
        assert!(!Role::Viewer.allows(Role::Editor));
        assert!(!Role::Editor.allows(Role::Admin));
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Ok(role));
        }
        assert_eq!(Role::parse("owner"), Err(IdentityError::RoleUnknown));
    }
}
