package dev.torpor.router.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.torpor.error.Forbidden;
import org.junit.jupiter.api.Test;

class AccessTest {
    private static final Caller INVOKER_A = new Caller("key_1", Role.INVOKER, "a");
    private static final Caller PUBLISHER_A = new Caller("key_2", Role.PUBLISHER, "a");
    private static final Caller OPERATOR = new Caller("key_3", Role.OPERATOR, "default");

    @Test
    void aModelIsCallableByItsOwnerTenantEveryoneWhenSharedAndOperators() {
        assertThat(Access.mayCall(INVOKER_A, "a", false)).isTrue();
        assertThat(Access.mayCall(INVOKER_A, "b", false)).isFalse();
        assertThat(Access.mayCall(INVOKER_A, "b", true)).isTrue();
        assertThat(Access.mayCall(PUBLISHER_A, "b", false)).isFalse();
        assertThat(Access.mayCall(OPERATOR, "b", false)).isTrue();
        assertThatThrownBy(() -> Access.requireMayCall(INVOKER_A, "m", "b", false)).isInstanceOf(Forbidden.class)
                .hasMessageContaining("invoker key of tenant 'a'").hasMessageContaining("'m'");
    }

    @Test
    void onlyPublishersOfTheOwnerTenantAndOperatorsManageAModel() {
        assertThatCode(() -> Access.requireMayManage(PUBLISHER_A, "m", "a")).doesNotThrowAnyException();
        assertThatCode(() -> Access.requireMayManage(OPERATOR, "m", "a")).doesNotThrowAnyException();
        assertThatThrownBy(() -> Access.requireMayManage(PUBLISHER_A, "m", "b")).isInstanceOf(Forbidden.class)
                .hasMessageContaining("another tenant");
        assertThatThrownBy(() -> Access.requireMayManage(INVOKER_A, "m", "a")).isInstanceOf(Forbidden.class)
                .hasMessageContaining("publisher or operator");
    }

    @Test
    void invokersCannotPublish() {
        assertThatThrownBy(() -> Access.requireMayPublishNew(INVOKER_A)).isInstanceOf(Forbidden.class);
        assertThatCode(() -> Access.requireMayPublishNew(PUBLISHER_A)).doesNotThrowAnyException();
        assertThatCode(() -> Access.requireMayPublishNew(OPERATOR)).doesNotThrowAnyException();
    }

    @Test
    void onlyOperatorsAdminister() {
        assertThatThrownBy(() -> Access.requireOperator(INVOKER_A)).isInstanceOf(Forbidden.class);
        assertThatThrownBy(() -> Access.requireOperator(PUBLISHER_A)).isInstanceOf(Forbidden.class);
        assertThatCode(() -> Access.requireOperator(OPERATOR)).doesNotThrowAnyException();
        assertThatCode(() -> Access.requireOperator(Caller.LOCAL_DEVELOPER)).doesNotThrowAnyException();
    }

    @Test
    void billingIsLimitedToTheCallersTenantExceptForOperators() {
        assertThat(Access.billingTenant(INVOKER_A, null)).isEqualTo("a");
        assertThat(Access.billingTenant(INVOKER_A, "a")).isEqualTo("a");
        assertThatThrownBy(() -> Access.billingTenant(PUBLISHER_A, "b")).isInstanceOf(Forbidden.class);
        assertThat(Access.billingTenant(OPERATOR, null)).isNull();
        assertThat(Access.billingTenant(OPERATOR, "b")).isEqualTo("b");
    }
}
