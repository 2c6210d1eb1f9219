package dev.torpor.router.http;

import dev.torpor.router.auth.Access;
import dev.torpor.router.billing.BillingCsv;
import dev.torpor.router.billing.BillingJson;
import dev.torpor.router.billing.BillingQuery;
import dev.torpor.router.billing.BillingSummary;
import dev.torpor.router.billing.RecordFilter;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.time.Instant;

/**
 * Billing records (JSON pages, or CSV with {@code Accept: text/csv}) and summaries. Query parameters are
 * parsed here so a bad one gets a 400 naming it; unknown parameters are ignored.
 */
@Controller("/billing")
@ExecuteOn(TaskExecutors.BLOCKING)
public class BillingController {
    static final String NEXT_CURSOR_HEADER = "Torpor-Next-Cursor";
    private static final int DEFAULT_LIMIT = 100;

    private final BillingQuery query;
    private final BillingSummary summary;

    BillingController(BillingQuery query, BillingSummary summary) {
        this.query = query;
        this.summary = summary;
    }

    @Get("/records")
    @Produces({MediaType.APPLICATION_JSON, "text/csv"})
    MutableHttpResponse<String> records(HttpRequest<?> request, @Nullable @QueryValue String model,
                                        @Nullable @QueryValue String tenant, @Nullable @QueryValue String from,
                                        @Nullable @QueryValue String to, @Nullable @QueryValue String limit,
                                        @Nullable @QueryValue String after) {
        String visibleTenant = Access.billingTenant(Callers.of(request), QueryParams.text(tenant));
        RecordFilter filter = new RecordFilter(QueryParams.text(model), visibleTenant, QueryParams.instant("from", from),
                QueryParams.instant("to", to));
        BillingQuery.Page page = query.list(filter, QueryParams.limit(limit, DEFAULT_LIMIT, BillingQuery.MAX_LIMIT),
                QueryParams.text(after));
        boolean csv = request.getHeaders().accept().stream()
                .anyMatch(type -> type.getName().equals("text/csv"));
        if (csv) {
            MutableHttpResponse<String> response = HttpResponse.ok(BillingCsv.toCsv(page.records()))
                    .contentType(MediaType.of("text/csv"));
            if (page.next() != null) {
                response.header(NEXT_CURSOR_HEADER, page.next());
            }
            return response;
        }
        return HttpResponse.ok(BillingJson.toJson(page)).contentType(MediaType.APPLICATION_JSON_TYPE);
    }

    @Get("/summary")
    MutableHttpResponse<String> summary(HttpRequest<?> request, @Nullable @QueryValue String from,
                                        @Nullable @QueryValue String to, @Nullable @QueryValue String groupBy,
                                        @Nullable @QueryValue String tenant) {
        String visibleTenant = Access.billingTenant(Callers.of(request), QueryParams.text(tenant));
        var rows = summary.summarize(QueryParams.instant("from", from), QueryParams.instant("to", to),
                BillingSummary.GroupBy.parse(groupBy == null || groupBy.isBlank() ? "model" : groupBy), visibleTenant);
        return HttpResponse.ok(BillingJson.summaryToJson(rows)).contentType(MediaType.APPLICATION_JSON_TYPE);
    }

}
