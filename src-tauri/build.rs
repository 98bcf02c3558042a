fn main() {
    // Every command the webview may call is listed here; each gets an `allow-<name>` permission
    // that the capability file grants explicitly (least privilege: no command is allowed by default).
    let attributes =
        tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(&[
            "app_info",
            "propose_signing",
            "pdf_for_preview",
            "sign_files",
            "verify_files",
            "save_signed_version",
            "save_verification_report",
            "extract_files",
            "plan_batch",
            "load_dashboard",
            "cached_dashboard",
            "load_access_log",
            "load_consents",
            "switch_consent",
            "file_correction",
            "report_misuse",
            "load_cases",
            "start_listening",
            "run_batch",
            "answer_pin",
            "answer_vault_passphrase",
            "cancel_job",
            "card_status",
            "card_certificates",
            "card_pin",
            "take_opened_files",
            "pick_files",
            "pick_folder",
            "load_settings",
            "save_settings",
            "show_in_folder",
            "set_tray_text",
            "tray_tooltip",
            "ui_ready",
        ]));
    tauri_build::try_build(attributes).expect("the Tauri configuration and capabilities are valid");
}
