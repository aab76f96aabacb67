package io.atelier.common.arch;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The package layering of {@code common}, as each package-info states it: dependencies point
 * down (families -> train -> runs -> io), there are no cycles, and nothing depends on bench.
 */
class LayeringTest {
    private static final String ROOT = "io.atelier.common";

    /**
     * Which packages each package may use, besides itself and its own subpackages. The order is
     * the reading order, from the bottom up; {@code bench} may use everything and is left out.
     */
    private static final Map<String, List<String>> MAY_USE = new LinkedHashMap<>();

    static {
        MAY_USE.put("io", List.of());
        MAY_USE.put("exec", List.of());
        MAY_USE.put("image", List.of());
        MAY_USE.put("nn", List.of());
        MAY_USE.put("compute", List.of("nn"));
        MAY_USE.put("data", List.of("exec", "image", "io"));
        MAY_USE.put("catalog", List.of("data", "exec", "image", "io"));
        MAY_USE.put("features", List.of("io"));
        MAY_USE.put("runs", List.of("image", "io"));
        MAY_USE.put("train", List.of("runs", "compute", "data", "image", "io", "nn"));
        MAY_USE.put("families", List.of("train", "runs", "compute", "data", "image", "io", "nn"));
        MAY_USE.put("generate", List.of("families", "runs", "exec", "compute", "data", "image", "io"));
        MAY_USE.put("eval", List.of("generate", "families", "train", "runs", "exec", "compute", "data", "image", "io"));
        MAY_USE.put("classify", List.of("eval", "train", "exec", "compute", "data", "image", "io"));
        MAY_USE.put("embed", List.of("eval", "features", "catalog", "exec", "compute", "data", "image", "io"));
        MAY_USE.put("style", List.of("embed", "features", "train", "runs", "data", "image", "io", "nn"));
        MAY_USE.put("scoring", List.of("classify", "embed", "eval", "generate", "families", "train", "runs", "data", "image", "io"));
        MAY_USE.put("stylize", List.of("style", "embed", "features", "catalog", "exec", "compute", "data", "image", "io"));
        MAY_USE.put("translate", List.of("stylize", "style", "families", "image", "io"));
        MAY_USE.put("project", List.of("stylize", "style", "embed", "features", "families", "runs", "image", "io", "nn"));
    }

    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages(ROOT);
    }

    @Test
    void packagesUseOnlyWhatTheirPackageDocsAllow() {
        for (Map.Entry<String, List<String>> e : MAY_USE.entrySet()) {
            List<String> forbidden = new ArrayList<>();
            for (String other : MAY_USE.keySet()) {
                if (!other.equals(e.getKey()) && !e.getValue().contains(other)) {
                    forbidden.add(ROOT + "." + other + "..");
                }
            }
            forbidden.add(ROOT + ".bench..");
            ArchRule rule = noClasses().that().resideInAPackage(ROOT + "." + e.getKey() + "..")
                    .should().dependOnClassesThat().resideInAnyPackage(forbidden.toArray(new String[0]))
                    .because("package " + e.getKey() + " may use only " + e.getValue());
            rule.check(classes);
        }
    }

    @Test
    void familiesAreIndependentOfEachOther() {
        slices().matching(ROOT + ".families.(*)..").should().notDependOnEachOther().check(classes);
    }

    @Test
    void familiesRegistryImportsNoFamily() {
        noClasses().that().resideInAPackage(ROOT + ".families")
                .should().dependOnClassesThat().resideInAPackage(ROOT + ".families.(*)..")
                .because("families register through ServiceLoader, so the registry never names one").check(classes);
    }

    @Test
    void noCyclesBetweenPackages() {
        slices().matching(ROOT + ".(**)").should().beFreeOfCycles().check(classes);
    }

    @Test
    void nothingDependsOnBench() {
        noClasses().that().resideOutsideOfPackage(ROOT + ".bench..")
                .should().dependOnClassesThat().resideInAPackage(ROOT + ".bench..").check(classes);
    }

    @Test
    void everyPackageIsInTheLayering() {
        List<String> missing = new ArrayList<>();
        classes.stream().map(c -> c.getPackageName())
                .filter(p -> p.startsWith(ROOT + "."))
                .map(p -> p.substring(ROOT.length() + 1).split("\\.")[0])
                .distinct()
                .filter(top -> !top.equals("bench") && !MAY_USE.containsKey(top))
                .forEach(missing::add);
        if (!missing.isEmpty()) {
            throw new AssertionError("packages without a layering rule: " + missing + "; add them to MAY_USE");
        }
    }
}
