//! Merchants: creation with a registered public key (design.md §5 "Merchants and keys").

use amzpay_emulator_core::VirtualClock;
use amzpay_emulator_core::ids::{MerchantId, PublicKeyId, StoreId};
use amzpay_emulator_core::model::{Environment, Merchant, MerchantKey, Region};
use amzpay_signing::{PrivateKey, PublicKey};

use crate::error::ApiError;
use crate::state::{AppState, real_now};

/// Where a new merchant's key comes from.
#[derive(Debug)]
pub(crate) enum NewKey {
    /// Register this public key (the merchant keeps its private key).
    Upload(PublicKey),
    /// Generate an RSA-2048 key pair and hand the private key out once.
    Generate,
}

/// What a new merchant is made of; every field already validated.
#[derive(Debug)]
pub(crate) struct NewMerchant {
    pub(crate) region: Region,
    pub(crate) environment: Environment,
    pub(crate) key: NewKey,
    /// Issue a legacy key id without the environment prefix.
    pub(crate) legacy_key_id: bool,
}

/// A created merchant, its key id and (when generated) the private key as PKCS#8 PEM.
#[derive(Debug)]
pub(crate) struct CreatedMerchant {
    pub(crate) merchant: Merchant,
    pub(crate) public_key_id: PublicKeyId,
    pub(crate) private_key_pem: Option<String>,
}

/// Creates a merchant with fresh ids and its first key.
pub(crate) async fn create(
    state: &AppState,
    new: NewMerchant,
) -> Result<CreatedMerchant, ApiError> {
    let (public_pem, private_key_pem) = match new.key {
        NewKey::Upload(key) => (key.to_pem(), None),
        NewKey::Generate => {
            // Generating an RSA key takes long enough to stall the runtime's thread.
            let key = tokio::task::spawn_blocking(|| PrivateKey::generate(2048))
                .await
                .map_err(|e| ApiError::Internal(e.into()))?
                .map_err(|e| ApiError::Internal(e.into()))?;
            let private = key
                .to_pkcs8_pem()
                .map_err(|e| ApiError::Internal(e.into()))?;
            (key.public_key().to_pem(), Some(private))
        }
    };
    // `ThreadRng` is not `Send`: keep it out of the awaits.
    let (merchant, public_key_id) = {
        let mut rng = rand::thread_rng();
        let merchant = Merchant {
            merchant_id: MerchantId::generate(&mut rng),
            store_id: StoreId::generate(&mut rng),
            region: new.region,
            environment: new.environment,
            clock: VirtualClock::default(),
            created_at: real_now(),
        };
        let public_key_id = if new.legacy_key_id {
            PublicKeyId::generate_legacy(&mut rng)
        } else {
            PublicKeyId::generate(&mut rng, new.environment)
        };
        (merchant, public_key_id)
    };
    let key = MerchantKey {
        public_key_id: public_key_id.clone(),
        merchant_id: merchant.merchant_id.clone(),
        public_key_pem: public_pem,
    };
    state.store().insert_merchant(&merchant, &key).await?;
    tracing::info!(merchant_id = %merchant.merchant_id, %public_key_id, "merchant created");
    Ok(CreatedMerchant {
        merchant,
        public_key_id,
        private_key_pem,
    })
}
