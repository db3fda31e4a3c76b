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
        setHelperText("Needed to load, unload and download models, change plugins and train");
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

    /** What a person is told when an action is refused: why, and where the token goes. */
    public static String explain(AccessDenied e) {
        return e.getMessage() + ": type it into the Admin token field";
    }
}
