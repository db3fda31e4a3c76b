package io.gptlens.web.ui;

import com.vaadin.flow.component.textfield.PasswordField;
import com.vaadin.flow.server.VaadinSession;
import io.gptlens.web.security.AccessDenied;
import io.gptlens.web.security.AdminGuard;

/**
 * The admin token as a person types it (id {@code admin-token}), remembered in the Vaadin session
 * so that every page of the session has it once typed. Views add it where actions need the token
 * ({@link AdminGuard#required()}) and ask {@link #refusal} before each such action. Use on the UI
 * thread, like any component.
 */
public final class AdminTokenField extends PasswordField {

    private static final String ATTRIBUTE = AdminTokenField.class.getName();

    public AdminTokenField() {
        super("Admin token");
        setId("admin-token");
        setHelperText("Needed to load, unload and download models, change plugins, train, and make or delete steering directions");
        VaadinSession session = VaadinSession.getCurrent();
        if (session != null && session.getAttribute(ATTRIBUTE) instanceof String t) {
            setValue(t);
        }
        addValueChangeListener(e -> {
            VaadinSession s = VaadinSession.getCurrent();
            if (s != null) {
                s.setAttribute(ATTRIBUTE, e.getValue());
            }
        });
    }

    /** The token typed, or null when the field is empty. */
    public String token() {
        String t = getValue();
        return t == null || t.isBlank() ? null : t.trim();
    }

    /** Why {@code action} ("Loading a model") is refused to the token typed here, or null when it may go ahead. */
    public String refusal(AdminGuard admin, String action) {
        try {
            admin.check(token(), action);
            return null;
        } catch (AccessDenied e) {
            return explain(e);
        }
    }

    /**
     * For an upload handler (it runs off the UI thread): if {@code action} is refused to the token
     * typed here, rejects the upload, says why on {@code message} and returns true.
     */
    public boolean rejectUpload(com.vaadin.flow.server.streams.UploadEvent event, AdminGuard admin, String action,
                                com.vaadin.flow.component.HasText message) {
        com.vaadin.flow.component.UI ui = event.getUI();
        String[] refused = new String[1];
        ui.accessSynchronously(() -> refused[0] = refusal(admin, action));
        if (refused[0] == null) {
            return false;
        }
        String name = java.nio.file.Path.of(event.getFileName()).getFileName().toString();
        event.reject(refused[0]);
        ui.access(() -> message.setText("Upload of " + name + " refused: " + refused[0]));
        return true;
    }

    /** What a person is told when an action is refused: why, and where the token goes. */
    public static String explain(AccessDenied e) {
        return e.getMessage() + ": type it into the Admin token field";
    }
}
