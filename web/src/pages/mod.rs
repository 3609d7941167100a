//! One module per page of the app.
pub mod agency;
pub mod estimate;
pub mod filing;
pub mod filings;
pub mod home;
pub mod precheck;
pub mod verify;
