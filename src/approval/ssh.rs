//! Making and checking SSH signatures (`SSHSIG`, as `ssh-keygen -Y sign` makes
//! them) with the RustCrypto `ssh-key` crate.

use std::fs;
use std::path::Path;

use ssh_key::{HashAlg, LineEnding, PrivateKey, SshSig};
use time::OffsetDateTime;

use super::signers::AllowedSigners;
use super::{ApprovalError, NAMESPACE};

/// A signature made by [`sign`], as the record stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    /// The armored `SSHSIG` (`-----BEGIN SSH SIGNATURE-----` …), LF line endings.
    pub armored: String,
    /// The signing key's fingerprint, `SHA256:<base64>` as `ssh-keygen -l` shows it.
    pub key: String,
}

/// Signs `payload` with the OpenSSH private key at `key_path` (hash sha512,
/// namespace `cargo-soup`). `passphrase` is asked only when the key is
/// encrypted; `None` from it refuses with [`ApprovalError::PassphraseNeeded`].
pub fn sign(
    payload: &[u8],
    key_path: &Path,
    passphrase: &mut dyn FnMut() -> Option<String>,
) -> Result<Signature, ApprovalError> {
    let key = read_private_key(key_path, passphrase)?;
    let failed = |error: ssh_key::Error| ApprovalError::Sign {
        path: key_path.to_path_buf(),
        reason: error.to_string(),
    };
    let signature = key
        .sign(NAMESPACE, HashAlg::Sha512, payload)
        .map_err(failed)?;
    let armored = signature.to_pem(LineEnding::LF).map_err(failed)?;
    Ok(Signature {
        armored,
        key: key.fingerprint(HashAlg::Sha256).to_string(),
    })
}

/// The private key at `path`, decrypted with the passphrase when it is encrypted.
fn read_private_key(
    path: &Path,
    passphrase: &mut dyn FnMut() -> Option<String>,
) -> Result<PrivateKey, ApprovalError> {
    let text = fs::read(path).map_err(|source| ApprovalError::KeyRead {
        path: path.to_path_buf(),
        source,
    })?;
    let key = PrivateKey::from_openssh(&text).map_err(|error| ApprovalError::KeyInvalid {
        path: path.to_path_buf(),
        reason: format!("not an OpenSSH private key ({error})"),
    })?;
    if !key.is_encrypted() {
        return Ok(key);
    }
    let Some(passphrase) = passphrase() else {
        return Err(ApprovalError::PassphraseNeeded {
            path: path.to_path_buf(),
        });
    };
    key.decrypt(passphrase.as_bytes())
        .map_err(|_| ApprovalError::PassphraseWrong {
            path: path.to_path_buf(),
        })
}

/// Why a signature does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureProblem {
    /// The text is not an armored SSH signature.
    #[error("the signature is not an SSH signature: {0}")]
    Malformed(String),
    /// It was made for another purpose than approvals.
    #[error("the signature is for namespace `{0}`, not `cargo-soup`")]
    Namespace(String),
    /// The signing key is not in the signers file for this principal.
    #[error("the signing key {key} is not listed for {principal} in the signers file")]
    NotListed { key: String, principal: String },
    /// The signature does not match the payload: something signed was changed.
    #[error("the signature by {key} does not match what it signed")]
    Mismatch { key: String },
}

/// Verifies an armored SSH signature over `payload` by a key the signers file
/// lists for `principal` (namespace `cargo-soup`, valid at `at`). Returns the
/// key's fingerprint.
pub fn verify(
    payload: &[u8],
    armored: &str,
    principal: &str,
    signers: &AllowedSigners,
    at: Option<OffsetDateTime>,
) -> Result<String, SignatureProblem> {
    let signature = SshSig::from_pem(armored.trim().as_bytes())
        .map_err(|error| SignatureProblem::Malformed(error.to_string()))?;
    if signature.namespace() != NAMESPACE {
        return Err(SignatureProblem::Namespace(
            signature.namespace().to_string(),
        ));
    }
    let key = signature
        .public_key()
        .fingerprint(HashAlg::Sha256)
        .to_string();
    let listed = signers
        .keys_for(principal, NAMESPACE, at)
        .find(|listed| listed.key_data() == signature.public_key())
        .ok_or_else(|| SignatureProblem::NotListed {
            key: key.clone(),
            principal: principal.to_string(),
        })?;
    listed
        .verify(NAMESPACE, payload, &signature)
        .map_err(|_| SignatureProblem::Mismatch { key: key.clone() })?;
    Ok(key)
}
