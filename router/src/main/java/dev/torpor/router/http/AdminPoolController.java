package dev.torpor.router.http;

import dev.torpor.pool.HostView;
import dev.torpor.pool.Launcher;
import com.fasterxml.jackson.databind.JsonNode;
import dev.torpor.pool.Device;
import dev.torpor.pool.PoolLimits;
import dev.torpor.pool.PoolState;
import dev.torpor.router.activation.Activator;
import dev.torpor.router.activation.InstanceView;
import dev.torpor.router.auth.Access;
import dev.torpor.router.auth.AuditLog;
import dev.torpor.router.auth.Caller;
import dev.torpor.router.model.WarmInstances;
import dev.torpor.router.pool.OperatorLimits;
import dev.torpor.router.pool.PoolLimitsDocument;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Consumes;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Put;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The pool for operators: its devices, limits and instances (and, with the kubernetes launcher, its pods), and live
 * changes to the limits.
 */
@Controller("/admin/pool")
@ExecuteOn(TaskExecutors.BLOCKING)
public class AdminPoolController {
    private static final long MAX_LIMITS_BYTES = 64 * 1024;

    private final Activator activator;
    private final OperatorLimits limits;
    private final WarmInstances warm;

    private final AuditLog audit;
    private final Launcher launcher;

    AdminPoolController(Activator activator, OperatorLimits limits, WarmInstances warm, AuditLog audit,
                        Launcher launcher) {
        this.audit = audit;
        this.launcher = launcher;
        this.activator = activator;
        this.limits = limits;
        this.warm = warm;
    }

    @Get
    Map<String, Object> pool(HttpRequest<?> request) {
        Access.requireOperator(Callers.of(request));
        PoolState state = activator.poolState();
        List<Map<String, Object>> devices = new ArrayList<>();
        for (Device device : state.devices()) {
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("id", device.id());
            view.put("kind", device.kind().name());
            if (device.isGpu()) {
                view.put("name", device.name());
            }
            view.put("memoryMbTotal", device.memoryMbTotal());
            view.put("memoryMbUsed", state.memoryMbUsed(device.id()));
            view.put("instances", state.instancesOn(device.id()));
            devices.add(view);
        }
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("devices", devices);
        view.put("limits", PoolLimitsDocument.view(limits.get()));
        view.put("instances", activator.allInstances().stream().map(AdminPoolController::instance).toList());
        view.put("queued", activator.queuedTotal());
        List<HostView> hosts = launcher.hosts();
        if (!hosts.isEmpty() || launcher.name().equals("kubernetes")) {
            view.put("pods", hosts.stream().map(AdminPoolController::pod).toList());
        }
        return view;
    }

    private static Map<String, Object> pod(HostView host) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("name", host.name());
        view.put("node", host.node());
        view.put("phase", host.phase());
        view.put("state", host.state());
        view.put("model", host.model());
        view.put("instance", host.instanceId());
        return view;
    }

    private static Map<String, Object> instance(InstanceView instance) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", instance.id());
        view.put("model", instance.model());
        view.putAll(ModelViews.instance(instance));
        return view;
    }

    /** Merges into the limits, validates (400 naming the field), persists and applies them at once. */
    @Put("/limits")
    @Consumes(MediaType.ALL)
    Map<String, Object> updateLimits(HttpRequest<?> request, @Body @Nullable InputStream body) {
        Caller caller = Callers.of(request);
        Access.requireOperator(caller);
        JsonNode patch = BoundedBody.readJson(body, request.getContentLength(), MAX_LIMITS_BYTES,
                "the 64 KB limit of a pool limits document");
        Long idleBefore = limits.get().defaultIdleTimeoutSeconds();
        PoolLimits updated = limits.update(patch);
        activator.limitsChanged();
        if (!Objects.equals(idleBefore, updated.defaultIdleTimeoutSeconds())) {
            warm.policiesChanged();
        }
        Map<String, Object> view = PoolLimitsDocument.view(updated);
        audit.record(caller, "pool.limits", "pool", patch);
        return view;
    }
}
